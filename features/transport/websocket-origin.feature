@X.2.1.2 @W2 @websocket @RFC6455-4.2.2 @RFC7118-4.1
Feature: the WIC's secure WebSocket to the eP-CSCF (TR 23.701 X.2.1.2 step 2)
  "The WIC opens a WSS connection to the eP-CSCF using standard cross-origin resource sharing (CORS) procedures to
  ensure that the WIC originated from a WWSF authorized to access this eP-CSCF." Only an exact match of scheme,
  host and port with an authorized origin may upgrade. A refused handshake gets "an appropriate HTTP error code
  (e.g., 403 Forbidden)" (RFC 6455 §4.2.2, a MUST): any 4xx passes, and 403 is the SHOULD of RFC 6455 §10.2 (another
  4xx is a WARN). No WIC-side SIP can follow a refused handshake, so these scenarios judge the handshake only.

  @cors @R01 @R03
  Scenario: a WIC page from the authorized WWSF opens a SIP WebSocket
    When a WIC page from the authorized WWSF origin opens a WebSocket to the eP-CSCF
    Then the eP-CSCF opens the WebSocket with subprotocol "sip"

  @R03
  Scenario: the eP-CSCF selects sip among the subprotocols a WIC offers
    RFC 6455 §4.2.2: the selected subprotocol "MUST be derived from the client's handshake, specifically by selecting
    one of the values from the |Sec-WebSocket-Protocol| field that the server is willing to use".
    When a WIC page from the authorized WWSF origin opens a WebSocket to the eP-CSCF offering "chat, sip"
    Then the eP-CSCF opens the WebSocket with subprotocol "sip"

  @cors @R11 @R12 @RFC6455-10.2 @security
  Scenario: a WIC page from a WWSF not authorized for the eP-CSCF is refused
    When a WIC page from "https://evil.harness.test:8443" opens a WebSocket to the eP-CSCF
    Then the eP-CSCF refuses the WebSocket handshake with an HTTP 4xx, 403 recommended

  @cors @R11 @R12 @RFC6455-10.2 @RFC6454-5 @security
  Scenario Outline: an origin that is not exactly the authorized one is refused (<near miss>)
    An origin is its scheme, host and port (RFC 6454 §5); each row changes one of them, or appends to it (a
    substring match would accept that one).
    When a WIC page from the authorized origin <near miss> opens a WebSocket to the eP-CSCF
    Then the eP-CSCF refuses the WebSocket handshake with an HTTP 4xx, 403 recommended

    Examples:
      | near miss             |
      | with a suffix         |
      | over the other scheme |
      | on another port       |
      | on the default port   |
      | under a sub-domain    |

  @cors @R11 @R12 @RFC6454-6.2 @security
  Scenario: a page with an opaque origin ("null") is refused
    When a WIC page from "null" opens a WebSocket to the eP-CSCF
    Then the eP-CSCF refuses the WebSocket handshake with an HTTP 4xx, 403 recommended

  @cors @R13 @RFC6455-10.2 @security
  Scenario: a handshake without Origin is refused when the profile says so
    Given the profile refuses handshakes without Origin
    When a client without Origin opens a WebSocket to the eP-CSCF
    Then the eP-CSCF refuses the handshake without Origin with an HTTP 4xx, 403 recommended

  @R04
  Scenario: no SIP is processed on a WebSocket without the sip subprotocol
    The eP-CSCF may refuse the handshake (Kamailio answers 400) or answer 101 without Sec-WebSocket-Protocol
    (RFC 6455 §4.2.2: a server that agrees to no offered subprotocol "MUST NOT send back a |Sec-WebSocket-Protocol|
    header field"); on such a WebSocket the WIC sends a REGISTER, and nothing may reach the S-CSCF. An error answer
    on that WebSocket is allowed (RFC 7118 §4.1 and RFC 6455 §4.2.2 forbid none); a 2xx is a WARN.
    When a WIC page from the authorized WWSF origin opens a WebSocket to the eP-CSCF without the sip subprotocol
    Then the eP-CSCF processes no SIP on a WebSocket without the sip subprotocol
