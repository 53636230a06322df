// A small fetch wrapper for /api/v1: same-origin cookies, JSON in and out, and one place where
// an expired session is noticed (any 401 outside sign-in sends the agent back to sign in).

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public reason = '',
    /** the request field the server refused, when it names one */
    public field = '',
  ) {
    super(message)
  }
}

type Listener = () => void
const expiredListeners = new Set<Listener>()

/** onSessionExpired registers fn to run when the server answers 401. */
export function onSessionExpired(fn: Listener): () => void {
  expiredListeners.add(fn)
  return () => expiredListeners.delete(fn)
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } }
  if (body !== undefined) {
    init.body = JSON.stringify(body)
    ;(init.headers as Record<string, string>)['Content-Type'] = 'application/json'
  }
  let resp: Response
  try {
    resp = await fetch('/api/v1' + path, init)
  } catch {
    throw new ApiError(0, 'network', 'network')
  }
  if (resp.status === 204) return undefined as T
  let data: unknown = undefined
  if ((resp.headers.get('Content-Type') ?? '').startsWith('application/json')) {
    data = await resp.json().catch(() => undefined)
  }
  if (!resp.ok) {
    const e = (data as { error?: { code?: string; message?: string; reason?: string; field?: string } } | undefined)?.error
    if (resp.status === 401 && path !== '/auth/login') expiredListeners.forEach((fn) => fn())
    throw new ApiError(resp.status, e?.code ?? 'http_' + resp.status, e?.message ?? resp.statusText, e?.reason ?? '', e?.field ?? '')
  }
  return data as T
}

export const get = <T>(path: string) => api<T>('GET', path)
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {})
