import { z } from 'zod'

/**
 * The SUT profile: one file describing the eP-CSCF under test and every option of the interop contract
 * (shared/interop-contract.md, copied to docs/interop-contract.md). Every field has the contract's default, so an
 * empty file describes the embedded reference eP-CSCF on the default addresses. Every field says what it is with
 * `.describe()`: the text reaches docs/profile.schema.json (`npm run schema`) and so the editor's completion.
 */
const port = z.number().int().min(1).max(65535)
const host = z.string().min(1)
const tlsVersion = z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'])
const env = z.record(z.string(), z.string()).default({})
const renderedFile = z
  .strictObject({
    template: z
      .string()
      .min(1)
      .describe('Template path, relative to the profile file; `{{placeholders}}` are filled in.'),
    target: z.string().min(1).describe('Where the rendered file goes, relative to the SUT files folder.'),
  })
  .describe('A configuration file rendered for the SUT from a template, once per worker.')

const launcher = z
  .discriminatedUnion('kind', [
    z
      .strictObject({
        kind: z.literal('reference').describe('The embedded reference eP-CSCF, started in-process.'),
        faults: z
          .array(z.string())
          .default([])
          .describe(
            'Fault switches of the reference eP-CSCF (support/epcscf/faults.ts); each injects one defect.',
          ),
        variants: z
          .array(z.string())
          .default([])
          .describe(
            'Variant switches (support/epcscf/variants.ts); each a legitimate variation that must not FAIL.',
          ),
      })
      .describe('The embedded reference eP-CSCF, with fault and variant switches.'),
    z
      .strictObject({
        kind: z
          .literal('external')
          .describe('An eP-CSCF already running at the profile addresses; the harness runs with one worker.'),
      })
      .describe('An eP-CSCF that is already running.'),
    z
      .strictObject({
        kind: z
          .literal('process')
          .describe(
            'The harness starts the SUT as a local process, one per worker, and stops it at the end.',
          ),
        command: z
          .string()
          .min(1)
          .describe('The program to start (in the foreground: it must not daemonize).'),
        args: z.array(z.string()).default([]).describe('Its arguments; `{{placeholders}}` are filled in.'),
        env: env.describe('Environment variables added for it; `{{placeholders}}` are filled in.'),
        cwd: z.string().optional().describe('Its working directory, relative to the profile file.'),
        files: z
          .array(renderedFile)
          .default([])
          .describe('Configuration files rendered from templates before it starts.'),
      })
      .describe('A SUT the harness starts as a local process.'),
    z
      .strictObject({
        kind: z
          .literal('container')
          .describe('The harness starts the SUT as a container (testcontainers, host networking).'),
        image: z.string().min(1).describe('The container image, e.g. epcscf-harness/kamailio:5.6.'),
        command: z.array(z.string()).optional().describe("The container's command, instead of the image's."),
        env: env.describe('Environment variables of the container; `{{placeholders}}` are filled in.'),
        files: z
          .array(renderedFile)
          .default([])
          .describe('Configuration files rendered from templates and copied into the container.'),
        readyLog: z
          .string()
          .optional()
          .describe(
            'A log line (regular expression) that says the SUT is up; the harness then probes the WSS port.',
          ),
        dockerHost: z
          .string()
          .optional()
          .describe('The Docker engine to use (DOCKER_HOST form); default the environment.'),
      })
      .describe('A SUT the harness starts as a container.'),
  ])
  .describe(
    'How the harness gets the eP-CSCF under test: reference (default), external, process or container.',
  )

const subscriber = z
  .strictObject({
    impi: z.string().min(1).describe('The private user identity (IMPI), e.g. alice@ims.harness.test.'),
    impus: z
      .array(z.string().regex(/^(sips?|tel):/, 'a sip:, sips: or tel: URI'))
      .min(1)
      .describe('The public user identities (IMPUs) of the subscription: sip:, sips: or tel: URIs.'),
    password: z.string().min(1).describe('The digest password the mock HSS holds.'),
  })
  .describe('A subscriber of the mock HSS (and a user of the mock WWSF).')

export const profileSchema = z.strictObject({
  name: z.string().min(1).default('reference').describe('The name of the SUT in the reports.'),
  description: z.string().optional().describe('Free text about the SUT, for the reader of the profile.'),
  launcher: launcher.default({ kind: 'reference', faults: [], variants: [] }),
  startTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(20_000)
    .describe(
      'Deadline (ms) for a launched SUT to accept TLS on its WSS port after the launcher started it.',
    ),
  domain: z
    .string()
    .min(1)
    .default('ims.harness.test')
    .describe('The home network domain (the realm of digest).'),
  epcscf: z
    .strictObject({
      identity: z
        .string()
        .default('sip:epcscf.harness.test')
        .describe("The eP-CSCF's SIP URI; the audience (`aud`) of the WWSF's tokens."),
      wss: z
        .strictObject({
          host: host.default('127.0.0.1').describe('The address the WICs connect to.'),
          port: port.default(7443).describe('The WSS port (W2).'),
          path: z.string().startsWith('/').default('/').describe('The path of the WebSocket URL.'),
          serverName: z
            .string()
            .default('epcscf.harness.test')
            .describe("The name the eP-CSCF's certificate must carry (TLS SNI and host name check)."),
        })
        .prefault({})
        .describe('Where the WICs reach the eP-CSCF: SIP over secure WebSocket (W2).'),
      mw: z
        .strictObject({
          address: host.default('127.0.0.1').describe("The eP-CSCF's own Mw address."),
          port: port.default(5060).describe("The eP-CSCF's own Mw port."),
        })
        .prefault({})
        .describe(
          "The eP-CSCF's own Mw address: requests from here are from a trusted node (TNA, TS 33.203 Annex U).",
        ),
      tls: z
        .strictObject({
          ca: z
            .string()
            .default('mint')
            .describe(
              '`mint`: the harness mints a test PKI into .harness/pki and writes it for the SUT; otherwise the file of the CA that signed its certificate.',
            ),
          minVersion: tlsVersion
            .default('TLSv1.2')
            .describe('The lowest TLS version the WIC offers by default.'),
          maxVersion: tlsVersion
            .default('TLSv1.3')
            .describe('The highest TLS version the WIC offers by default.'),
        })
        .prefault({})
        .describe('TLS of W2.'),
      origin: z
        .strictObject({
          allowed: z
            .array(z.url())
            .min(1)
            .default(['https://wwsf.harness.test:8443'])
            .describe(
              'The authorized WWSF origins (exact scheme, host and port). Default: the WWSF origin on the WWSF port, https://wwsf.harness.test:<wwsf.port> (8443), moved by --port-base.',
            ),
          missingOrigin: z
            .enum(['refuse', 'token-only'])
            .default('refuse')
            .describe(
              'RFC 6455 §10.2: a handshake without Origin is refused, or allowed and held to token authentication.',
            ),
        })
        .prefault({})
        .describe('The Origin check of the WebSocket handshake (X.2.1.2 step 2).'),
      keepalive: z
        .strictObject({
          crlf: z
            .boolean()
            .default(true)
            .describe(
              "The eP-CSCF answers a double-CRLF keep-alive on the WIC's WebSocket with a single CRLF (RFC 5626 §5.4 applied to the WebSocket; SIP.js relies on it). False: the keep-alive scenario reports N/A.",
            ),
        })
        .prefault({})
        .describe('Keep-alives on the WIC WebSocket.'),
      digest: z
        .strictObject({
          integrityProtected: z
            .array(z.enum(['absent', 'tls-pending', 'tls-yes', 'ip-assoc-pending', 'ip-assoc-yes']))
            .min(1)
            .default(['absent', 'tls-pending', 'tls-yes', 'ip-assoc-pending', 'ip-assoc-yes'])
            .describe(
              '`integrity-protected` values accepted on a forwarded digest REGISTER: absent or a TS 24.229 §7.2A.2 value for SIP digest (tls-*, ip-assoc-*); never the AKA/TNA values yes, no, tls-connected, auth-done.',
            ),
        })
        .prefault({})
        .describe('What the eP-CSCF writes on a digest REGISTER it forwards.'),
      topology: z
        .strictObject({
          vias: z
            .number()
            .int()
            .min(1)
            .max(4)
            .default(1)
            .describe(
              'Its Via entries on a forwarded request (2 for a two-stage eP-CSCF; Max-Forwards then drops by as many).',
            ),
          hiding: z
            .boolean()
            .default(false)
            .describe('The Vias below its own may be hidden or replaced (topology hiding).'),
        })
        .prefault({})
        .describe('How the eP-CSCF shows on Mw (proxies may be built so, catalogue B.1).'),
      token: z
        .strictObject({
          refreshWithoutToken: z
            .enum(['refuse-or-no-auth-done', 'connection-bound'])
            .default('refuse-or-no-auth-done')
            .describe(
              'A REGISTER refresh on a token-registered WebSocket that carries no token: `refuse-or-no-auth-done`, the eP-CSCF refuses it or forwards it without auth-done (the S-CSCF then challenges); `connection-bound`, the eP-CSCF rests TNA on the WSS connection the token authenticated and may forward it with auth-done (no text forbids it: catalogue [I]; the refresh scenario reports N/A).',
            ),
          jtiReplay: z
            .enum(['allow', 'refuse'])
            .default('allow')
            .describe(
              'A token replayed from another WebSocket (its owner de-registered): `allow`, bearer tokens are replayable until they expire (RFC 7519 §4.1.7: jti "can be used to prevent the JWT from being replayed", "Use of this claim is OPTIONAL"; the replay scenario reports N/A), or `refuse` (one-time tokens by jti).',
            ),
          keyRotation: z
            .enum(['follows', 'static'])
            .default('follows')
            .describe(
              "How the eP-CSCF learns the WWSF's new signing keys: `follows`, it honours a key the WWSF adds and refuses one it removes (it re-reads `{{wwsf.jwks}}` / `{{wwsf.publicKeyPem}}`, which the harness rewrites, or fetches the JWKS URL again when a token names an unknown kid); `static`, keys are provisioned once (the rotation scenarios report N/A).",
            ),
          jwksRefetchIntervalS: z
            .number()
            .int()
            .min(0)
            .max(600)
            .default(0)
            .describe(
              'Least seconds the eP-CSCF leaves between two fetches of the JWKS URL (a cache or rate limit): before it presents a token of a rotated key, the scenario waits until that long after the WWSF last served it.',
            ),
        })
        .prefault({})
        .describe('Where token handling may differ (token registration, X.2.1.3).'),
      media: z
        .enum(['transparent', 'anchored'])
        .default('transparent')
        .describe(
          'What the eP-CSCF does with SDP (TS 23.228 U.1.1; features/session/media.feature): `transparent`, signalling only, the offer reaches Mw unchanged in meaning; `anchored`, rewritten as with an eIMS-AGW (no ICE, DTLS or BUNDLE toward Mw, a WebRTC answer toward the WIC). The reference is anchored by its `media-anchored` variant.',
        ),
      exposure: z
        .strictObject({
          scanPorts: z
            .string()
            .regex(/^\d{1,5}-\d{1,5}$/)
            .optional()
            .describe(
              "The TCP ports `from-to` of the WIC-facing host probed for a plain-text SIP WebSocket; default the worker's WSS port ±50 and its Mw port.",
            ),
        })
        .prefault({})
        .describe('The W2 surface probe (features/security/exposed-surface.feature).'),
    })
    .prefault({})
    .describe('The eP-CSCF under test: its addresses and where a conformant eP-CSCF may differ.'),
  scscf: z
    .strictObject({
      address: host.default('127.0.0.1').describe('The address of the mock I/S-CSCF (the next hop on Mw).'),
      port: port.default(5070).describe('Its port (UDP and TCP).'),
      algorithms: z
        .array(z.enum(['MD5', 'SHA-256']))
        .min(1)
        .default(['MD5'])
        .describe(
          'Digest algorithms of the challenge, in order (RFC 8760 §2.4). Scenarios may override per scenario.',
        ),
      nonceLifetimeS: z
        .number()
        .int()
        .positive()
        .default(30)
        .describe('How long a digest nonce stays valid (s).'),
      trustedNodes: z
        .array(
          z.strictObject({
            host: host.describe('The address of a trusted node.'),
            port: port.optional().describe('Its port; any port when absent.'),
          }),
        )
        .optional()
        .describe(
          'Nodes whose TNA `auth-done` is honoured (TS 33.203 U.2: "the I-CSCF verifies that the incoming REGISTER originates from a trusted node"). Default: the eP-CSCF\'s Mw host on any port (Mw over TCP comes from ephemeral source ports).',
        ),
      hostnames: z
        .record(z.string().min(1), host)
        .default({ 'epcscf.harness.test': '127.0.0.1' })
        .describe(
          "Host names in Path and Route URIs the mock core resolves, `{ name: address }` (no DNS is used). Default: the interop contract's eP-CSCF name on its default Mw address.",
        ),
      recvBufferSize: z
        .number()
        .int()
        .positive()
        .default(4 * 1024 * 1024)
        .describe("SO_RCVBUF of the mock core's UDP socket, sized for bursts (bytes)."),
    })
    .prefault({})
    .describe('The mock I/S-CSCF with its HSS, behind the eP-CSCF on Mw.'),
  wwsf: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Start the mock WWSF (token registration needs it).'),
      host: host.default('127.0.0.1').describe('The address it listens on.'),
      port: z
        .number()
        .int()
        .min(0)
        .max(65535)
        .default(8443)
        .describe('Its HTTPS port (W1); 0 picks a free port. The default authorized origin follows it.'),
      issuer: z
        .string()
        .min(1)
        .optional()
        .describe('`iss` of the tokens. Default: the first allowed origin.'),
      alg: z.enum(['ES256', 'RS256']).default('ES256').describe('The JWS algorithm of its tokens.'),
      signingKey: z
        .string()
        .min(1)
        .optional()
        .describe(
          'A fixed signing key (PKCS #8 PEM file, relative to the profile); default one minted into .harness/.',
        ),
      claims: z
        .strictObject({
          impi: z.string().min(1).default('impi').describe('The claim that carries the IMPI.'),
          impu: z.string().min(1).default('impu').describe('The claim that carries the IMPUs.'),
        })
        .prefault({})
        .describe('Identity claim names (3GPP defines none).'),
      carriage: z
        .enum(['rfc8898', 'access-token-param'])
        .default('rfc8898')
        .describe(
          '`Authorization: Bearer <jwt>` (RFC 8898) or `Bearer access_token="<jwt>"` (TS 24.371 Table A.3.2-1).',
        ),
      impi: z
        .enum(['token', 'digest-username'])
        .default('token')
        .describe(
          'How the WIC gives its IMPI with a token (3GPP fixes none): `token` (only in the token\'s claims), or `digest-username` (also an `Authorization: Digest username="<IMPI>"` with empty nonce and response beside the Bearer, the TS 24.229 §5.1.1.2 initial form).',
        ),
    })
    .prefault({})
    .describe(
      'The mock WWSF of token registration (TR 23.701 X.2.1.3): HTTPS login issuing a JWT, and its JWKS. Its public key is also written as `{{wwsf.jwks}}` and `{{wwsf.publicKeyPem}}` for an eP-CSCF provisioned statically.',
    ),
  wic: z
    .strictObject({
      style: z
        .enum(['ue', 'browser-library'])
        .default('ue')
        .describe(
          'How the scripted WIC builds initial requests: `ue` preloads the Service-Route of its last registration as Route, as a 3GPP UE shall (TS 24.229 §5.1.2A.1.1, RFC 3608 §6.1); `browser-library` preloads none, as JsSIP and SIP.js do, so that the eP-CSCF has to route by the Service-Route itself (TS 24.229 §5.2.6.3.2 lets a P-CSCF replace the Route or refuse with 400).',
        ),
    })
    .prefault({})
    .describe('The scripted WIC (issue 8).'),
  browser: z
    .strictObject({
      executablePath: z
        .string()
        .min(1)
        .default('/usr/bin/chromium')
        .describe(
          "Chromium for the browser WICs (features/browser/, JsSIP and SIP.js driven by playwright-core): the Debian package's by default; the HARNESS_CHROMIUM environment variable overrides it. None there: the browser scenarios are an ENVIRONMENT ERROR.",
        ),
    })
    .prefault({})
    .describe('The real WICs in headless Chromium (issue 11).'),
  subscribers: z
    .array(subscriber)
    .min(1)
    .default([
      {
        impi: 'alice@ims.harness.test',
        impus: ['sip:alice@ims.harness.test', 'tel:+15550101'],
        password: 'alice-secret',
      },
      { impi: 'bob@ims.harness.test', impus: ['sip:bob@ims.harness.test'], password: 'bob-secret' },
    ])
    .describe('The subscribers of the mock HSS; the scenarios use the first two as Alice and Bob.'),
  timers: z
    .strictObject({
      T1: z.number().int().positive().default(500).describe('RTT estimate (ms); RFC 3261 default 500.'),
      T2: z
        .number()
        .int()
        .positive()
        .default(4000)
        .describe('Maximum retransmit interval (ms); RFC 3261 default 4000.'),
      T4: z
        .number()
        .int()
        .positive()
        .default(5000)
        .describe('Maximum time a message stays in the network (ms).'),
    })
    .prefault({})
    .describe("RFC 3261 §17 timer base values in ms; the default T1 = 500 ms is RFC 3261's."),
  waitMs: z
    .number()
    .int()
    .positive()
    .default(4000)
    .describe('Deadline (ms) of every expectation on the network (a response, a forwarded request).'),
  portStride: z
    .number()
    .int()
    .min(0)
    .default(100)
    .describe(
      'Port offset between parallel workers (each worker runs its own mock core and, if launched, its own SUT).',
    ),
  expectedDeviations: z
    .array(
      z.strictObject({
        scenario: z.string().min(1).describe('The scenario name, exactly as in the feature file.'),
        reason: z.string().min(1).describe('Why this SUT is known to fail it.'),
        requirement: z
          .string()
          .regex(/^R\d\d$/, 'a catalogue id such as R15')
          .optional()
          .describe(
            'The catalogue id (e.g. R15) of the check the SUT is known to fail: a FAIL of another check stays FAIL.',
          ),
      }),
    )
    .default([])
    .describe(
      'Scenarios this SUT is known to fail, with the reason; they still run and are reported as deviations.',
    ),
})

export type Profile = z.infer<typeof profileSchema>
export type LauncherConfig = Profile['launcher']
