import { request } from 'node:https'
import { HarnessError, NoAnswer, TokenError, TransportFailed } from '../errors.ts'
import type { LoginResult } from './wwsf.ts'

/**
 * The WIC side of W1 (TR 23.701 X.2.1.3 step 1): the web login at the WWSF over HTTPS, trusting `ca`. Resolves
 * with the HTTP status and, on 200, the token and the IMS identities the WWSF returned.
 */
export async function loginAtWwsf(opts: {
  readonly url: string
  readonly user: string
  readonly password: string
  readonly ca: string
  readonly timeoutMs: number
}): Promise<{ readonly status: number; readonly result: LoginResult | undefined }> {
  const body = new URLSearchParams({ user: opts.user, password: opts.password }).toString()
  return new Promise((resolve, reject) => {
    const req = request(
      `${opts.url}/login`,
      {
        method: 'POST',
        ca: opts.ca,
        timeout: opts.timeoutMs,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => {
          const status = res.statusCode ?? 0
          if (status !== 200) return resolve({ status, result: undefined })
          try {
            resolve({ status, result: JSON.parse(text) as LoginResult })
          } catch (error) {
            reject(new TokenError(`WWSF ${opts.url}/login: body is not JSON`, { cause: error }))
          }
        })
      },
    )
    req.on('timeout', () =>
      req.destroy(new NoAnswer(`WWSF ${opts.url}/login: no answer within ${opts.timeoutMs} ms`)),
    )
    req.on('error', (error) =>
      reject(
        error instanceof HarnessError
          ? error
          : new TransportFailed(`WWSF ${opts.url}/login: ${error.message}`, {
              cause: error,
            }),
      ),
    )
    req.end(body)
  })
}
