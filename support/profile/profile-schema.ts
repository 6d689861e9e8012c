import { z } from 'zod'

/**
 * The SUT profile: one file describing the eP-CSCF under test and every option of the interop contract
 * (shared/interop-contract.md, copied to docs/interop-contract.md). Every field has the contract's default, so an
 * empty file describes the embedded reference eP-CSCF on the default addresses.
 */
const port = z.number().int().min(1).max(65535)
const host = z.string().min(1)
const tlsVersion = z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'])
const env = z.record(z.string(), z.string()).default({})
const renderedFile = z.strictObject({
  /** Template path, relative to the profile file; `{{placeholders}}` are filled in. */
  template: z.string().min(1),
  /** Where the rendered file goes, relative to the SUT files folder. */
  target: z.string().min(1),
})

const launcher = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('reference'),
    /** Fault switches of the reference eP-CSCF (support/epcscf/faults.ts); each injects one defect. */
    faults: z.array(z.string()).default([]),
    /** Variant switches (support/epcscf/variants.ts); each a legitimate variation that must not FAIL. */
    variants: z.array(z.string()).default([]),
  }),
  z.strictObject({ kind: z.literal('external') }),
  z.strictObject({
    kind: z.literal('process'),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env,
    cwd: z.string().optional(),
    files: z.array(renderedFile).default([]),
  }),
  z.strictObject({
    kind: z.literal('container'),
    image: z.string().min(1),
    command: z.array(z.string()).optional(),
    env,
    files: z.array(renderedFile).default([]),
    /** A log line (regular expression) that says the SUT is up; the harness then probes the WSS port. */
    readyLog: z.string().optional(),
    dockerHost: z.string().optional(),
  }),
])

const subscriber = z.strictObject({
  impi: z.string().min(1),
  impus: z.array(z.string().regex(/^(sips?|tel):/, 'a sip:, sips: or tel: URI')).min(1),
  password: z.string().min(1),
})

export const profileSchema = z.strictObject({
  name: z.string().min(1).default('reference'),
  description: z.string().optional(),
  launcher: launcher.default({ kind: 'reference', faults: [], variants: [] }),
  /** Deadline for the SUT to accept TLS on its WSS port after the launcher started it. */
  startTimeoutMs: z.number().int().positive().default(20_000),
  domain: z.string().min(1).default('ims.harness.test'),
  epcscf: z
    .strictObject({
      identity: z.string().default('sip:epcscf.harness.test'),
      wss: z
        .strictObject({
          host: host.default('127.0.0.1'),
          port: port.default(7443),
          path: z.string().startsWith('/').default('/'),
          serverName: z.string().default('epcscf.harness.test'),
        })
        .prefault({}),
      /** The eP-CSCF's own Mw address: requests from here are from a trusted node (TNA, TS 33.203 Annex U). */
      mw: z.strictObject({ address: host.default('127.0.0.1'), port: port.default(5060) }).prefault({}),
      tls: z
        .strictObject({
          /** `mint`: the harness mints a test PKI and writes it for the SUT; otherwise a CA certificate file. */
          ca: z.string().default('mint'),
          minVersion: tlsVersion.default('TLSv1.2'),
          maxVersion: tlsVersion.default('TLSv1.3'),
        })
        .prefault({}),
      origin: z
        .strictObject({
          allowed: z.array(z.url()).min(1).default(['https://wwsf.harness.test:8443']),
          /** RFC 6455 §10.2: a handshake without Origin is refused, or allowed and held to token authentication. */
          missingOrigin: z.enum(['refuse', 'token-only']).default('refuse'),
        })
        .prefault({}),
      keepalive: z
        .strictObject({
          /**
           * The eP-CSCF answers a double-CRLF keep-alive on the WIC's WebSocket with a single CRLF (RFC 5626 §5.4
           * applied to the WebSocket; SIP.js relies on it). False: the keep-alive scenario reports N/A.
           */
          crlf: z.boolean().default(true),
        })
        .prefault({}),
      digest: z
        .strictObject({
          /**
           * `integrity-protected` values accepted on a forwarded digest REGISTER: absent or a TS 24.229 §7.2A.2 value
           * for SIP digest (tls-*, ip-assoc-*); never the AKA/TNA values yes, no, tls-connected, auth-done.
           */
          integrityProtected: z
            .array(z.enum(['absent', 'tls-pending', 'tls-yes', 'ip-assoc-pending', 'ip-assoc-yes']))
            .min(1)
            .default(['absent', 'tls-pending', 'tls-yes', 'ip-assoc-pending', 'ip-assoc-yes']),
        })
        .prefault({}),
      /**
       * How the eP-CSCF shows on Mw (proxies may be built so, catalogue B.1): `vias`, its Via entries on a forwarded
       * request (2 for a two-stage eP-CSCF; Max-Forwards then drops by as many); `hiding`, the Vias below its own
       * may be hidden or replaced (topology hiding).
       */
      topology: z
        .strictObject({
          vias: z.number().int().min(1).max(4).default(1),
          hiding: z.boolean().default(false),
        })
        .prefault({}),
      token: z
        .strictObject({
          /**
           * A REGISTER refresh on a token-registered WebSocket that carries no token: `refuse-or-no-auth-done`, the
           * eP-CSCF refuses it or forwards it without auth-done (the S-CSCF then challenges); `connection-bound`,
           * the eP-CSCF rests TNA on the WSS connection the token authenticated and may forward it with auth-done
           * (no text forbids it: catalogue [I]; the refresh scenario reports N/A).
           */
          refreshWithoutToken: z
            .enum(['refuse-or-no-auth-done', 'connection-bound'])
            .default('refuse-or-no-auth-done'),
          /**
           * A token replayed from another WebSocket (its owner de-registered): `allow`, bearer tokens are replayable
           * until they expire (RFC 7519 §4.1.7: jti "can be used to prevent the JWT from being replayed", "Use of
           * this claim is OPTIONAL"; the replay scenario reports N/A), or `refuse` (one-time tokens by jti).
           */
          jtiReplay: z.enum(['allow', 'refuse']).default('allow'),
          /**
           * How the eP-CSCF learns the WWSF's new signing keys: `follows`, it honours a key the WWSF adds and refuses
           * one it removes (it re-reads `{{wwsf.jwks}}` / `{{wwsf.publicKeyPem}}`, which the harness rewrites, or
           * fetches the JWKS URL again when a token names an unknown kid); `static`, keys are provisioned once (the
           * rotation scenarios report N/A).
           */
          keyRotation: z.enum(['follows', 'static']).default('follows'),
          /**
           * Least seconds the eP-CSCF leaves between two fetches of the JWKS URL (a cache or rate limit): before it
           * presents a token of a rotated key, the scenario waits until that long after the WWSF last served it.
           */
          jwksRefetchIntervalS: z.number().int().min(0).max(600).default(0),
        })
        .prefault({}),
      /**
       * What the eP-CSCF does with SDP (TS 23.228 U.1.1; features/session/media.feature): `transparent`, signalling
       * only, the offer reaches Mw unchanged in meaning; `anchored`, rewritten as with an eIMS-AGW (no ICE, DTLS or
       * BUNDLE toward Mw, a WebRTC answer toward the WIC). The reference is anchored by its `media-anchored` variant.
       */
      media: z.enum(['transparent', 'anchored']).default('transparent'),
      /**
       * The W2 surface probe (features/security/exposed-surface.feature): `scanPorts`, the TCP ports `from-to` of the
       * WIC-facing host probed for a plain-text SIP WebSocket; default the worker's WSS port ±50 and its Mw port.
       */
      exposure: z
        .strictObject({
          scanPorts: z
            .string()
            .regex(/^\d{1,5}-\d{1,5}$/)
            .optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  scscf: z
    .strictObject({
      address: host.default('127.0.0.1'),
      port: port.default(5070),
      /** Digest algorithms of the challenge, in order (RFC 8760 §2.4). Scenarios may override per scenario. */
      algorithms: z
        .array(z.enum(['MD5', 'SHA-256']))
        .min(1)
        .default(['MD5']),
      nonceLifetimeS: z.number().int().positive().default(30),
      /**
       * Nodes whose TNA `auth-done` is honoured (TS 33.203 U.2: "the I-CSCF verifies that the incoming REGISTER
       * originates from a trusted node"). Default: the eP-CSCF's Mw host on any port (Mw over TCP comes from
       * ephemeral source ports).
       */
      trustedNodes: z.array(z.strictObject({ host, port: port.optional() })).optional(),
      /**
       * Host names in Path and Route URIs the mock core resolves, `{ name: address }` (no DNS is used). Default:
       * the interop contract's eP-CSCF name on its default Mw address.
       */
      hostnames: z.record(z.string().min(1), host).default({ 'epcscf.harness.test': '127.0.0.1' }),
      /** SO_RCVBUF of the mock core's UDP socket, sized for bursts (bytes). */
      recvBufferSize: z
        .number()
        .int()
        .positive()
        .default(4 * 1024 * 1024),
    })
    .prefault({}),
  /**
   * The mock WWSF of token registration (TR 23.701 X.2.1.3): HTTPS login issuing a JWT, and its JWKS. Its public
   * key is also written as `{{wwsf.jwks}}` and `{{wwsf.publicKeyPem}}` for an eP-CSCF provisioned statically.
   */
  wwsf: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: host.default('127.0.0.1'),
      /** 0 picks a free port. */
      port: z.number().int().min(0).max(65535).default(8443),
      /** `iss` of the tokens. Default: the first allowed origin. */
      issuer: z.string().min(1).optional(),
      alg: z.enum(['ES256', 'RS256']).default('ES256'),
      /** A fixed signing key (PKCS #8 PEM file, relative to the profile); default one minted into .harness/. */
      signingKey: z.string().min(1).optional(),
      /** Identity claim names (3GPP defines none). */
      claims: z
        .strictObject({ impi: z.string().min(1).default('impi'), impu: z.string().min(1).default('impu') })
        .prefault({}),
      /** `Authorization: Bearer <jwt>` (RFC 8898) or `Bearer access_token="<jwt>"` (TS 24.371 Table A.3.2-1). */
      carriage: z.enum(['rfc8898', 'access-token-param']).default('rfc8898'),
      /**
       * How the WIC gives its IMPI with a token (3GPP fixes none): `token` (only in the token's claims), or
       * `digest-username` (also an `Authorization: Digest username="<IMPI>"` with empty nonce and response beside
       * the Bearer, the TS 24.229 §5.1.1.2 initial form).
       */
      impi: z.enum(['token', 'digest-username']).default('token'),
    })
    .prefault({}),
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
    ]),
  /** RFC 3261 §17 timer base values in ms; the default T1 = 500 ms is RFC 3261's. */
  timers: z
    .strictObject({
      T1: z.number().int().positive().default(500),
      T2: z.number().int().positive().default(4000),
      T4: z.number().int().positive().default(5000),
    })
    .prefault({}),
  /** Deadline of every expectation on the network (a response, a forwarded request). */
  waitMs: z.number().int().positive().default(4000),
  /** Port offset between parallel workers (each worker runs its own mock core and, if launched, its own SUT). */
  portStride: z.number().int().min(0).default(100),
  /** Scenarios this SUT is known to fail, with the reason; they still run and are reported as deviations. */
  expectedDeviations: z
    .array(
      z.strictObject({
        scenario: z.string().min(1),
        reason: z.string().min(1),
        /** The catalogue id (e.g. R15) of the check the SUT is known to fail: a FAIL of another check stays FAIL. */
        requirement: z
          .string()
          .regex(/^R\d\d$/, 'a catalogue id such as R15')
          .optional(),
      }),
    )
    .default([]),
})

export type Profile = z.infer<typeof profileSchema>
export type LauncherConfig = Profile['launcher']
