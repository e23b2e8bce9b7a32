export declare const consoleDir: string
export declare function consoleBuildReason(): 'missing' | 'stale' | undefined
export declare function ensureConsoleBuilt(opts?: { log?: (line: string) => void }): boolean
/** Runs fn holding the checkout's console build lock (.build/console-build*.lock). */
export declare function withBuildLock<T>(fn: () => T): T
