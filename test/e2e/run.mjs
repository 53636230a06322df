#!/usr/bin/env node
// Runs the browser tests: starts `gesher demo` on a free loopback port with a throwaway data
// folder, runs every specs/*.spec.mjs with Node's test runner (one file at a time: they share
// the demo's state), then stops the server and removes the folder, however the run ended.
//
//   node test/e2e/run.mjs [path/to/gesher]      (E2E_ONLY=06 runs only the spec files named with 06)
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const bin = resolve(process.argv[2] ?? join(here, '..', '..', 'bin', 'gesher'))

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.on('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

async function waitReady(url, server, ms = 60_000) {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`gesher demo exited with ${server.exitCode}`)
    try {
      const r = await fetch(url + '/readyz')
      if (r.ok) return
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error('gesher demo did not become ready within ' + ms / 1000 + ' s')
}

const data = mkdtempSync(join(tmpdir(), 'gesher-e2e-'))
const port = await freePort()
const smtpPort = await freePort()
const url = `http://127.0.0.1:${port}`
const log = []
// The suite signs in dozens of times from one address and writes 10,000 messages in through
// the API channel, faster than people would: the rate limits (tested in the Go suite) are
// raised or lifted so they do not refuse the tests; a resolution's survey goes out after 2 s,
// not 5 minutes, so the survey suites can answer one.
const server = spawn(bin, ['demo', '--addr', `127.0.0.1:${port}`, '--data', data, '--log-level', 'warn', '--login-rate', '6000', '--hook-rate', '0', '--survey-delay', '2s', '--smtp-addr', `127.0.0.1:${smtpPort}`], {
  stdio: ['ignore', 'pipe', 'pipe'],
})
server.stdout.on('data', (b) => log.push(b.toString()))
server.stderr.on('data', (b) => log.push(b.toString()))

let code = 1
try {
  await waitReady(url, server)
  console.log(`gesher demo at ${url} (data in ${data})`)
  const specs = readdirSync(join(here, 'specs'))
    .filter((f) => f.endsWith('.spec.mjs') && f.includes(process.env.E2E_ONLY ?? ''))
    .sort()
    .map((f) => join(here, 'specs', f))
  const runner = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...specs], {
    stdio: 'inherit',
    env: { ...process.env, GESHER_URL: url, GESHER_SMTP: `127.0.0.1:${smtpPort}` },
  })
  code = await new Promise((ok) => runner.on('exit', (c) => ok(c ?? 1)))
} catch (e) {
  console.error(String(e))
} finally {
  server.kill('SIGTERM')
  await new Promise((ok) => {
    if (server.exitCode !== null) return ok()
    const t = setTimeout(() => {
      server.kill('SIGKILL')
      ok()
    }, 15_000)
    server.on('exit', () => {
      clearTimeout(t)
      ok()
    })
  })
  if (code !== 0) console.error('--- gesher demo log ---\n' + log.join('').slice(-8000))
  rmSync(data, { recursive: true, force: true })
}
process.exit(code)
