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
    substring match would accept that one), or extends the host before or after it (a host compared by its end, or
    by its start, would accept those).
    When a WIC page from the authorized origin <near miss> opens a WebSocket to the eP-CSCF
    Then the eP-CSCF refuses the WebSocket handshake with an HTTP 4xx, 403 recommended

    Examples:
      | near miss             |
      | with a suffix         |
      | with a prefix         |
      | under another domain  |
      | over the other scheme |
      | on another port       |
      | on the default port   |
      | under a sub-domain    |

  @cors @R11 @RFC6454-4 @RFC6454-5 @security
  Scenario: the authorized origin with its host in upper case opens a SIP WebSocket
    The host of an origin is case-insensitive (RFC 3986 §3.2.2; RFC 6454 §4 lower-cases it), so
    https://WWSF.HARNESS.TEST:8443 is the authorized origin: an eP-CSCF comparing the text as sent refuses its WWSF.
    When a WIC page from the authorized origin in upper case opens a WebSocket to the eP-CSCF
    Then the eP-CSCF opens the WebSocket of that same origin with subprotocol "sip"

  @cors @R12 @RFC6454-7.3 @RFC6455-4.2.1 @security
  Scenario Outline: a handshake with two Origin header fields is refused (the authorized one <place>)
    "The user agent MUST NOT include more than one Origin header field in any HTTP request" (RFC 6454 §7.3): no
    browser sends this, and an eP-CSCF that reads only one of the fields lets the other origin in. Any 4xx passes.
    When a client opens a WebSocket to the eP-CSCF with two Origin header fields, the authorized one <place>
    Then the eP-CSCF refuses the handshake with two Origins with an HTTP 4xx

    Examples:
      | place |
      | first |
      | last  |

  @cors @R05 @RFC6455-4.4 @security
  Scenario: a handshake for WebSocket version 25 is refused naming version 13
    RFC 6455 §4.2.2 /version/: "If this version does not match a version understood by the server", an HTTP error
    "such as 426 Upgrade Required" and a Sec-WebSocket-Version header field with the versions the server speaks (a
    MUST; §4.4's example answers 400, so any 4xx passes). Version 25 is §4.4's own example of a version no server
    understands; a draft version such as 8 would not do, since §4.4 lets a server speak it ("13, 8, 7").
    When a WIC page from the authorized origin asks the eP-CSCF for WebSocket version 25
    Then the eP-CSCF refuses that version naming version 13

  @cors @R14 @security
  Scenario: Access-Control-Allow-Origin never widens the allow-list
    No clause asks for CORS headers on a WebSocket upgrade, or forbids them (a WARN, never a FAIL): when the 101 has
    Access-Control-Allow-Origin it names the authorized origin that asked, never "*", and a refusal names none.
    When WIC pages from the authorized origin and from "https://evil.harness.test:8443" open WebSockets to the eP-CSCF
    Then no answer names an origin in Access-Control-Allow-Origin but the authorized one that asked

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
