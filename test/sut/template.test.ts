import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { HarnessError } from '../../support/errors.ts'
import { renderFiles, renderTemplate, resolveInside } from '../../support/sut/template.ts'

const vars = { 'wss.port': '7443', 'mw.port': '5060', origin: 'https://wwsf.harness.test:8443', empty: '' }

function profileError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HarnessError)
    assert.equal(error.code, 'PROFILE_INVALID')
    assert.match(error.message, pattern)
    return true
  })
}

void describe('SUT file templates', { timeout: 10_000 }, () => {
  void it('fills every placeholder, with or without spaces inside the braces', () => {
    assert.equal(
      renderTemplate('listen=tls:127.0.0.1:{{wss.port}} udp {{ mw.port }} {{origin}}{{empty}}!', vars),
      'listen=tls:127.0.0.1:7443 udp 5060 https://wwsf.harness.test:8443!',
    )
  })

  void it('leaves text without placeholders alone, Kamailio transformations included', () => {
    const cfg = '$var(x) = $(var(flow){s.encode.hexa}); if ($(ct{re.subst,/a/b/}) =~ "^x{2}$") {}'
    assert.equal(renderTemplate(cfg, vars), cfg)
  })

  void it('does not render placeholders that a value brings in', () => {
    assert.equal(renderTemplate('{{a}}', { a: '{{b}}', b: 'no' }), '{{b}}')
  })

  void it('an unknown placeholder is an error that names it and the source', () => {
    profileError(
      () => renderTemplate('port {{wss.prot}} and {{scscf.port}}', vars, 'kamailio.cfg.tmpl'),
      /kamailio\.cfg\.tmpl: unknown placeholder \{\{wss\.prot\}\}, \{\{scscf\.port\}\}/,
    )
  })

  void it('names the known placeholders in the error', () => {
    profileError(
      () => renderTemplate('{{nope}}', vars),
      /known placeholders: empty, mw\.port, origin, wss\.port/,
    )
  })

  void it('a malformed or unclosed placeholder is an error', () => {
    profileError(() => renderTemplate('x {{wss port}} y', vars), /malformed placeholder "\{\{wss port\}\}"/)
    profileError(() => renderTemplate('line 1\nline {{wss.port', vars), /"\{\{" without "\}\}" on line 2/)
  })

  void it('inherited object keys are not placeholders', () => {
    profileError(() => renderTemplate('{{toString}}', vars), /unknown placeholder \{\{toString\}\}/)
  })

  void it('renders files into the files folder and refuses targets outside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tmpl-'))
    try {
      await writeFile(join(dir, 'a.tmpl'), 'port={{wss.port}}\n')
      const files = join(dir, 'files')
      const [written] = renderFiles([{ template: 'a.tmpl', target: 'kamailio/a.cfg' }], {
        baseDir: dir,
        filesDir: files,
        vars,
      })
      assert.equal(written, join(files, 'kamailio', 'a.cfg'))
      assert.equal(await readFile(join(files, 'kamailio', 'a.cfg'), 'utf8'), 'port=7443\n')
      profileError(
        () =>
          renderFiles([{ template: 'a.tmpl', target: '../escape.cfg' }], {
            baseDir: dir,
            filesDir: files,
            vars,
          }),
        /target: "\.\.\/escape\.cfg" is not a path inside/,
      )
      profileError(
        () =>
          renderFiles([{ template: 'missing.tmpl', target: 'x' }], { baseDir: dir, filesDir: files, vars }),
        /cannot read template .*missing\.tmpl/,
      )
      profileError(() => resolveInside(files, '/etc/passwd'), /not a path inside/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  void it('the bundled Kamailio templates render with the harness placeholders', async () => {
    const all = {
      'wss.host': '127.0.0.1',
      'wss.port': '7443',
      'mw.address': '127.0.0.1',
      'mw.port': '5060',
      'scscf.address': '127.0.0.1',
      'scscf.port': '5070',
      'pki.dir': '/pki',
      'files.dir': '/files',
      origins: 'https://wwsf.harness.test:8443',
      domain: 'ims.harness.test',
      identity: 'sip:epcscf.harness.test',
      'wwsf.publicKeyPem': '/files/wwsf/signing-key.pub.pem',
      'wwsf.issuer': 'https://wwsf.harness.test:8443',
    }
    for (const name of ['kamailio.cfg.tmpl', 'tls.cfg.tmpl', 'token_check.py.tmpl']) {
      const text = await readFile(new URL(`../../sut/kamailio/${name}`, import.meta.url), 'utf8')
      const rendered = renderTemplate(text, all, name)
      assert.doesNotMatch(rendered, /\{\{/)
    }
  })
})
