// Unsent replies and notes, per conversation, for as long as the page lives: switching to
// another conversation or signing in again after the session expired keeps them.
export const drafts = new Map<string, string>()
