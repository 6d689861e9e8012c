/// <reference lib="dom" />
/**
 * The WWSF's login form on the WIC page (TR 23.701 X.2.1.3 step 1, W1): the user types the password into the
 * form, the page posts it to the WWSF's `/login` on its own origin and keeps the token the WWSF returns, which the
 * library then presents as Bearer credentials (X.2.1.3 step 3). Browser code, shared by the library pages.
 */

export interface LoginOutcome {
  readonly login: 'none' | 'pending' | 'ok' | 'failed'
  readonly loginStatus: number | undefined
  readonly token: string | undefined
}

/** Wires the form of the page (`#login`, fields `user` and `password`); `report` gets each change. */
export function wireLoginForm(report: (outcome: LoginOutcome) => void): void {
  const form = document.getElementById('login')
  if (!(form instanceof HTMLFormElement)) return
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    report({ login: 'pending', loginStatus: undefined, token: undefined })
    const field = (name: string): string => {
      const input = form.elements.namedItem(name)
      return input instanceof HTMLInputElement ? input.value : ''
    }
    const body = new URLSearchParams({ user: field('user'), password: field('password') })
    fetch('/login', { method: 'POST', body, credentials: 'same-origin' })
      .then(async (response) => {
        const json = response.ok ? ((await response.json()) as { access_token?: string }) : {}
        const token = json.access_token
        report({ login: token === undefined ? 'failed' : 'ok', loginStatus: response.status, token })
      })
      .catch(() => report({ login: 'failed', loginStatus: undefined, token: undefined }))
  })
}
