@X.2.1.2 @W2 @cors @RFC6455-4.2.2 @RFC6455-10.2 @RFC7118
Feature: the WIC's secure WebSocket to the eP-CSCF (TR 23.701 X.2.1.2 step 2)
  "The WIC opens a WSS connection to the eP-CSCF using standard cross-origin resource sharing (CORS) procedures to
  ensure that the WIC originated from a WWSF authorized to access this eP-CSCF." Only an exact match of scheme,
  host and port with an authorized origin may upgrade; anything else is refused before any SIP is exchanged.

  @R11 @R03
  Scenario: a WIC page from the authorized WWSF opens a SIP WebSocket
    When a WIC page from the authorized WWSF origin opens a WebSocket to the eP-CSCF
    Then the WebSocket is open with subprotocol "sip"

  @R12 @security
  Scenario: a WIC page from a WWSF not authorized for the eP-CSCF is refused
    When a WIC page from "https://evil.harness.test:8443" opens a WebSocket to the eP-CSCF
    Then the WebSocket handshake is refused with HTTP 403
    And nothing reached the S-CSCF

  @R12 @security
  Scenario: an origin that only contains the authorized origin is refused
    When a WIC page from "https://wwsf.harness.test:8443.evil.test" opens a WebSocket to the eP-CSCF
    Then the WebSocket handshake is refused with HTTP 403

  @R12 @security
  Scenario: the authorized host on another scheme is refused
    When a WIC page from "http://wwsf.harness.test:8443" opens a WebSocket to the eP-CSCF
    Then the WebSocket handshake is refused with HTTP 403

  @R13 @security
  Scenario: a handshake without Origin is refused when the profile says so
    Given the profile refuses handshakes without Origin
    When a client without Origin opens a WebSocket to the eP-CSCF
    Then the WebSocket handshake is refused with HTTP 403

  @R04
  Scenario: a WebSocket without the sip subprotocol is not established
    When a WIC page from the authorized WWSF origin opens a WebSocket to the eP-CSCF without the sip subprotocol
    Then no SIP WebSocket is established
