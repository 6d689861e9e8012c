@X.2.1.3 @registration @web-authentication @token @TS33.203-U
Feature: a WebSocket without Origin registers by token only (profile epcscf.origin.missingOrigin: token-only)
  The Origin check assumes a browser that is not compromised (TS 33.203 Annex X NOTE); a WIC that sends no Origin
  cannot be tied to the WWSF by it. SA3's editor's note asks for "the potential use of a security token if the origin
  of the WWSF cannot be verified": an eP-CSCF whose profile says token-only accepts such a WebSocket, registers it by
  the WWSF's token, and never by digest (catalogue R13). Profiles that refuse handshakes without Origin get N/A.

  Background:
    Given the profile holds a WebSocket without Origin to token registration
    And Alice has logged in at the WWSF and holds its token
    And Alice's WIC is connected to the eP-CSCF without Origin

  @R13 @R31 @R34 @security
  Scenario: a WIC without Origin registers with its token, as auth-done
    When Alice registers with her token
    Then the S-CSCF registered Alice without a digest challenge
    And the REGISTER at the S-CSCF says auth-done for Alice's IMPI in exactly one Digest Authorization

  @R13 @R39 @security
  Scenario: a WIC without Origin cannot register by digest: refused, and nothing of it reaches the S-CSCF
    When Alice registers with IMS digest
    Then the eP-CSCF refuses Alice's digest REGISTER from a WebSocket without Origin and nothing of it reaches the S-CSCF
