'use strict'
/**
 * Artillery engine `wic` (engines are npm packages named artillery-engine-<name>): a thin adapter over the
 * harness's load generator. Each virtual user runs its scenario's flow (`register`, `call`, `think`) through
 * support/load/artillery-scenario.ts, the same LoadWics as `npm run load`, loaded with tsx; what it measured is
 * emitted as Artillery counters and histograms (`wic.register.ok`, `wic.register`, ...).
 */
/** The TypeScript side, relative to this file (tsImport resolves it against __filename). */
const SCENARIO = '../../../support/load/artillery-scenario.ts'

class WicEngine {
  constructor(script, ee, helpers) {
    this.script = script
    this.config = script.config
    this.helpers = helpers
    this.module = undefined
  }

  load() {
    if (this.module === undefined) {
      // tsx is an ES module: import() it, then import the TypeScript scenario module through it.
      this.module = import('tsx/esm/api').then(({ tsImport }) => tsImport(SCENARIO, __filename))
    }
    return this.module
  }

  createScenario(spec, ee) {
    return (context, callback) => {
      ee.emit('started')
      const emit = (kind, name, value) => ee.emit(kind, name, value)
      this.load()
        .then((m) => m.runArtilleryScenario(this.config, spec.flow ?? [], emit))
        .then(
          () => callback(null, context),
          (error) => {
            ee.emit('error', (error && (error.code || error.message)) || String(error))
            callback(error, context)
          },
        )
    }
  }
}

module.exports = WicEngine
