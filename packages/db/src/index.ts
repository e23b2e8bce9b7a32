export * from './control-db.js'
export * from './migrate.js'
export * from './passwords.js'
export * from './audit.js'
