@security @untrusted-headers @W2 @Mw @TS24.371-5.5 @RFC7315-4
Feature: P-headers a WIC writes never reach Mw as it wrote them (issue 9 §6)
  The WIC is outside the trust domain (RFC 3325 §2.3, RFC 7315 §4): charging correlation, asserted identity,
  visited network and network-provided access information are the network's word. A hostile WIC writes each of
  them with a value of its own choosing; whatever the eP-CSCF does (replace, remove, or refuse the request), that
  value never reaches the S-CSCF as written. TS 24.371 §5.5: "For the Mw reference point, the eP-CSCF shall
  conform to the requirements for the P-CSCF as specified in 3GPP TS 24.229".

  Background:
    Given Alice's WIC is connected to the eP-CSCF from the authorized WWSF origin

  @X.2.1.2 @TS24.229-5.2.2.1
  Scenario Outline: a <header> Alice writes in her REGISTER never reaches the S-CSCF as written
    When Alice registers with IMS digest writing her own "<header>"
    Then no REGISTER of Alice's reached the S-CSCF with her own "<header>"

    @R18 @RFC7315-4.6
    Examples: charging
      | header            |
      | P-Charging-Vector |

    @R47 @RFC3325-5
    Examples: identity
      | header              |
      | P-Asserted-Identity |

    @R17
    Examples: visited network
      | header               |
      | P-Visited-Network-ID |

    @R02 @RFC7315-5.4
    Examples: access network
      | header                |
      | P-Access-Network-Info |

  @X.2.2 @TS24.229-5.2.6.3
  Scenario Outline: a <header> Alice writes in a request never reaches the S-CSCF as written
    Given Alice is registered with IMS digest
    When Alice sends a MESSAGE to Bob writing her own "<header>"
    Then Alice's MESSAGE reached the S-CSCF without her own "<header>"

    @R68 @RFC7315-4.6
    Examples: charging
      | header            |
      | P-Charging-Vector |

    @R47 @RFC3325-5
    Examples: identity
      | header              |
      | P-Asserted-Identity |

    @R17
    Examples: visited network (a SHOULD outside REGISTER)
      | header               |
      | P-Visited-Network-ID |

    @R02 @RFC7315-5.4
    Examples: access network
      | header                |
      | P-Access-Network-Info |
