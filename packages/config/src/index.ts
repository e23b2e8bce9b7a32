// @wren/config — the unified configuration (msconfig model, spec 01 §1).
//   const config = await openConfig(dataRoot)
//   config.view()            // kernel ConfigView: get/find/list/onChange (live)
//   await config.reload()    // re-read the newest version; resolves with changed option names
//   config.registry.lookup('imap.port')   // { spec: { type, default, restart… }, refreshable, restart }
//   config.set('imap.enable', '0'); await config.write({ remark: '…' })
export { ConfigService, openConfig } from './service.js'
export type { Actor, SetOptions, SetResult, VersionInfo, WriteOptions, WriteResult } from './service.js'
export { Registry, defaultRegistry, instantiate } from './registry/registry.js'
export type { OptionMatch, OptionSpec, OptionType, RestartScope, Scope } from './registry/types.js'
export { ConfigError, type ConfigErrorKind } from './registry/errors.js'
export { ALL_OPTIONS } from './registry/options/index.js'
export { LiveConfigView } from './view.js'
export { parseValue, coerceValue, showValue, legacyValue } from './values.js'
export { displayKey, settingKey, parseKey, splitScope, diffSettings, type FieldChange, type Settings } from './settings.js'
export { toConfigXml, toXpassXml, fromConfigXml, ROLE_NAME, INSTANCE_NAME } from './xml.js'
export { initialSettings } from './factory.js'
export { createConfigView } from './static-view.js'
