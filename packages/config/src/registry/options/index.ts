// Every option Wren knows (spec 01 §1: "the XML schema exposes the entire configuration").
import type { OptionSpec } from '../types.js'
import { baseOptions, watcherOptions, alarmOptions, scheduleOptions, adminOptions, messagetraceOptions } from './base.js'
import { imapOptions, popOptions, httpOptions, mmpOptions } from './protocols.js'
import { storeOptions } from './store.js'
import { mtaOptions, ruleOptions, channelOptions, dispatcherOptions, jobControllerOptions } from './mta.js'
import { metermaidOptions, metermaidClientOptions, ensOptions } from './services.js'
import { consoleOptions } from './console.js'

export const ALL_OPTIONS: OptionSpec[] = [
  ...baseOptions, ...watcherOptions, ...alarmOptions, ...scheduleOptions, ...adminOptions, ...messagetraceOptions,
  ...imapOptions, ...popOptions, ...httpOptions, ...mmpOptions, ...storeOptions,
  ...mtaOptions, ...ruleOptions, ...channelOptions, ...dispatcherOptions, ...jobControllerOptions,
  ...metermaidOptions, ...metermaidClientOptions, ...ensOptions, ...consoleOptions,
]
