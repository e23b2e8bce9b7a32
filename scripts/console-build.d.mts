export declare const consoleDir: string
export declare function consoleBuildReason(): 'missing' | 'stale' | undefined
export declare function ensureConsoleBuilt(opts?: { log?: (line: string) => void }): boolean
