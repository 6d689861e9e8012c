/**
 * Every one-character mutation of a typical REGISTER either parses losslessly (it serialises back to the same text)
 * or is refused with a SipParseError: no other error escapes the parser's fast paths, whatever the input.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SipParseError } from '../../support/sip/parse-error.ts'
import { parseMessage, parseMessageBytes } from '../../support/sip/parse.ts'
import { WIC_REGISTER } from '../helpers/sip-text.ts'

const REGISTER = WIC_REGISTER

const CHARACTERS = [' ', '\t', '\r', '\n', ':', ';', ',', '"', '<', '>', '@', '=', '\\', '%', 'é', '0', 'x']

void test('every one-character mutation of a REGISTER MUST parse losslessly or be refused with a reason', () => {
  let parsed = 0
  let refused = 0
  for (let i = 0; i < REGISTER.length; i++) {
    for (const c of ['', ...CHARACTERS]) {
      const text = REGISTER.slice(0, i) + c + REGISTER.slice(i + 1)
      try {
        assert.equal(parseMessage(text).toString(), text)
        assert.equal(parseMessageBytes(Buffer.from(text)).toString(), text)
        parsed++
      } catch (error) {
        if (!(error instanceof SipParseError)) throw error
        assert.ok(error.reason.length > 0 && Number.isInteger(error.offset), JSON.stringify(text))
        refused++
      }
    }
  }
  assert.ok(parsed > 0 && refused > 0)
})
