@X.2.1.2 @W2 @tls @R06 @R07 @security @TS33.210-6.2.1 @TS33.203-X @TS24.371-A.3.2 @RFC7118-9.1
Feature: TLS on the WIC's secure WebSocket to the eP-CSCF (TR 23.701 X.2.1.2 step 2)
  "The WIC opens a WSS (secure Web Socket) connection to the eP-CSCF. The TLS connection provides one-way
  authentication of the server based on the server certificate." (TS 24.371 A.3.2 step 2.) TS 33.210 §6.2.1, which
  applies to W2 through TS 33.203: "TLS 1.2 as specified in RFC 5246 shall be supported. TLS 1.3 as specified in
  RFC 8446 shall be supported." "SSL 1.0, SSL 2.0, SSL 3.0, TLS 1.0, TLS 1.1 and DTLS 1.0 shall not be supported."
  Each WIC validates the eP-CSCF's certificate against the profile's CA and host name; a certificate the harness
  rejects is an environment error, never a refusal by the eP-CSCF. TS 33.203 Annex X is informative, so for W2 the
  levels are those of RFC 9325 §3.1.1: "Implementations MUST support TLS 1.2", "SHOULD support TLS 1.3" (a refused
  TLS 1.3-only handshake is a WARN); RFC 8996 forbids TLS 1.0 and 1.1.

  Scenario: a WIC offering only TLS 1.3 connects
    When a WIC offering only TLS 1.3 opens a WebSocket to the eP-CSCF
    Then the eP-CSCF completes the TLS handshake and opens the SIP WebSocket

  Scenario: a WIC offering only TLS 1.2 connects
    When a WIC offering only TLS 1.2 opens a WebSocket to the eP-CSCF
    Then the eP-CSCF completes the TLS handshake and opens the SIP WebSocket

  Scenario: a WIC offering only TLS 1.1 is refused at the TLS handshake
    When a WIC offering only TLS 1.1 opens a WebSocket to the eP-CSCF
    Then the eP-CSCF refuses the TLS handshake

  Scenario: a WIC offering only TLS 1.0 is refused at the TLS handshake
    When a WIC offering only TLS 1.0 opens a WebSocket to the eP-CSCF
    Then the eP-CSCF refuses the TLS handshake
