export * from './logger.js'
export * from './config-view.js'
export * from './events.js'
export * from './service.js'
