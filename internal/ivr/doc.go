// Package ivr owns the contact centre's menus: menu trees defined once as data (prompts per
// language, options a caller presses or says, actions at the leaves), the calls that go
// through them (one session per provider call id, stored so that a retried webhook or a
// restarted node carries on where the call is), the visual menu's signed links and what the
// caller does there, the caller's place in the queue, callbacks, and the context an agent
// reads before answering.
//
// It renders no TwiML and no HTML: the voice adapter (internal/channel/twilio) turns a Reply
// into TwiML, and internal/web renders the visual menu. It sends nothing itself either: texts
// go through the conversation's outbox, and releasing a waiting call goes through a Releaser
// the wiring provides (the voice adapter, speaking the provider's REST API).
package ivr
