import { defineParameterType } from '@cucumber/cucumber'

/** The cast: a typo ("Alise") is an undefined step, not a new user. */
defineParameterType({ name: 'actor', regexp: /Alice|Bob|Carol/, transformer: (name: string) => name })

/** Digest algorithms of a challenge, in order: `MD5`, `SHA-256`, `SHA-256 and MD5`. */
defineParameterType({
  name: 'algorithms',
  regexp: /(?:MD5|SHA-256)(?: and (?:MD5|SHA-256))?/,
  transformer: (text: string) => text.split(' and '),
})

defineParameterType({ name: 'status', regexp: /[1-6]\d\d/, transformer: Number })
