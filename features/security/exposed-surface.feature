@security @exposed-surface @W2 @tls @R06 @TS24.371-A.3.2 @TS33.203-X @RFC7118-8.1
Feature: the exposed surface of the eP-CSCF's WIC-facing side (issue 9 §4)
  "The WIC opens a WSS (secure Web Socket) connection to the eP-CSCF. The TLS connection provides one-way
  authentication of the server based on the server certificate." (TS 24.371 A.3.2 step 2.) SIP reaches the
  eP-CSCF from the WIC over WSS only: no port of the WIC-facing host, the WSS and Mw ports included, may upgrade a
  plain-text ws:// WebSocket with the sip subprotocol (Kamailio's own IMS example refuses a WebSocket request that
  arrives on a SIP port). The profile names the ports probed (epcscf.exposure.scanPorts; default the WSS port ±50
  and the Mw port); the harness's own listeners are left out. The upgrade request carries the authorized Origin, so
  that the Origin check is not what refuses it.

  Scenario: no port of the WIC-facing host accepts a plain-text SIP WebSocket
    When the harness asks every probed port of the eP-CSCF's WIC-facing host for a plain-text SIP WebSocket
    Then no port of the eP-CSCF's WIC-facing host opens a plain-text SIP WebSocket

  @TS33.210-6.2.3
  Scenario: the certificate the eP-CSCF presents on W2 is reported, a weak one with a warning
    Key type and size, signature algorithm and validity are attached to the report; an RSA key under 2048 bits, an
    EC key under 256 bits, an MD5 or SHA-1 signature, or a certificate outside its validity is a WARN.
    When a WIC inspects the certificate the eP-CSCF presents on W2
    Then the eP-CSCF's certificate is reported, a weak one with a warning

  @TS33.210-6.2.3 @RFC9325-4.1 @R07
  Scenario Outline: a WIC offering only TLS 1.2 suites <family> is refused
    Each row offers only suites of one weak family (the ones this harness's OpenSSL can still offer; none left: N/A).
    Without forward secrecy, NULL, RC4 and export grade are refused (a FAIL otherwise); 3DES is a SHOULD NOT (WARN).
    When a WIC offering only TLS 1.2 cipher suites "<family>" opens a connection to the eP-CSCF
    Then the eP-CSCF refuses that TLS handshake

    Examples:
      | family                  |
      | without forward secrecy |
      | with NULL encryption    |
      | with RC4                |
      | with 3DES               |
      | of export grade         |
