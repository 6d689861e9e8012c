@browser @issue11 @X.2.1.2
Feature: Real WICs in a real browser: JsSIP and SIP.js in headless Chromium (issue 11)
  The scripted WIC is the harness's own model of a browser client; vendors' eP-CSCFs meet real WebRTC stacks. Here
  the WIC is a client library (JsSIP 3, SIP.js 0.21) on a page the mock WWSF serves over HTTPS from its real
  origin, in headless Chromium: the browser sets the Origin (a page cannot forge it), checks the certificates with
  its own TLS stack (the harness pins exactly the keys it verified against its CA), and its RTCPeerConnection
  writes the SDP (fake media devices). The harness still judges everything on Mw and in the trace; the page's
  WebSocket frames are in the SIP trace, its console (with the library's log) in browser-console.txt.

  Scenario Outline: <library> in Chromium registers with IMS digest through the eP-CSCF
    Given Alice's browser WIC runs <library> on a page from the authorized WWSF origin
    Then the eP-CSCF opened the WebSocket of Alice's page with subprotocol "sip"
    When Alice's browser WIC registers with IMS digest
    Then Alice's browser registration succeeds and the S-CSCF holds the binding
    And the REGISTER of Alice's browser WIC reached the S-CSCF with the eP-CSCF's Via on top, a Path to it and Require: path

    @R01 @R03 @R19 @R20 @R24
    Examples:
      | library |
      | JsSIP   |
      | SIP.js  |

  Scenario Outline: a <library> page de-registers through the eP-CSCF, and the S-CSCF removes its binding
    Given Alice's browser WIC runs <library> on a page from the authorized WWSF origin
    And Alice's browser WIC is registered with IMS digest
    When Alice's browser WIC de-registers
    Then Alice's page received the S-CSCF's 200 to its de-registration, and the S-CSCF no longer holds the binding

    @R43
    Examples:
      | library |
      | JsSIP   |
      | SIP.js  |

  Scenario Outline: a <library> page logs in on the WWSF's form and registers with the token
    TR 23.701 X.2.1.3: the web login at the WWSF gives the page a token, which the library presents as Bearer
    credentials on REGISTER; the eP-CSCF validates it and registers the user at the S-CSCF by TNA (auth-done).
    Given Alice's browser WIC runs <library> on a page from the authorized WWSF origin
    When Alice logs in on the WWSF form of her page, and her browser WIC registers with the token
    Then the S-CSCF registered Alice's page without a digest challenge, with auth-done for her IMPI, and never saw the token
    And Alice's browser registration succeeds and the S-CSCF holds the binding

    @X.2.1.3 @token @R34 @R35
    Examples:
      | library |
      | JsSIP   |
      | SIP.js  |

  Scenario Outline: a <library> page served from an unauthorized origin cannot open the SIP WebSocket
    The Origin is the browser's: the page comes from https://evil.harness.test:8443 (resolved to the WWSF), and the
    browser only reports the refusal as close code 1006, so the verdict is read from the server's HTTP answer as the
    browser's DevTools saw it, and from Mw.
    Given Alice's browser WIC runs <library> on a page from "https://evil.harness.test:8443"
    Then the eP-CSCF refuses the WebSocket of Alice's page with an HTTP 4xx, 403 recommended, and nothing reaches the S-CSCF

    @cors @R11 @R12 @security
    Examples:
      | library |
      | JsSIP   |
      | SIP.js  |

  Scenario Outline: <library> in Chromium calls the network with a genuine WebRTC offer
    Given Alice's browser WIC runs <library> on a page from the authorized WWSF origin
    And Alice's browser WIC is registered with IMS digest
    When Alice's browser WIC calls the network
    Then Alice's browser sent a genuine WebRTC offer, and it reached the S-CSCF as the profile's media handling says
    And Alice's browser call is answered with a WebRTC answer
    When Alice's browser WIC hangs up
    Then the BYE of Alice's browser call reached the S-CSCF through the eP-CSCF and was answered

    @calls @R55 @R59 @R61 @R62 @R64
    Examples:
      | library |
      | JsSIP   |
      | SIP.js  |

  Scenario Outline: the network calls a <library> page, which answers
    Given Alice's browser WIC runs <library> on a page from the authorized WWSF origin
    And Alice's browser WIC is registered with IMS digest
    When the network calls Alice's browser WIC
    Then Alice's browser WIC rings with a WebRTC offer, answers, and the answer reaches the network as the profile's media handling says
    When the network hangs up on Alice's browser WIC
    Then Alice's browser WIC receives the BYE and answers it

    @calls @R55 @R57 @R66
    Examples:
      | library |
      | JsSIP   |
      | SIP.js  |
