// `pop.banner` (spec 03 §10; legacy default "%h %p service (%P %V)"): %h host name, %p protocol,
// %P product name, %V product version, %% a percent sign.

export const PRODUCT_NAME = 'Wren Messaging Server'
export const PRODUCT_VERSION = '0.1.0'
export const DEFAULT_BANNER = '%h %p service (%P %V)'

export function expandBanner(template: string, hostname: string, protocol = 'POP3'): string {
  return template.replace(/%([hpPV%])/g, (_m, c: string) =>
    c === 'h' ? hostname : c === 'p' ? protocol : c === 'P' ? PRODUCT_NAME : c === 'V' ? PRODUCT_VERSION : '%',
  ).replace(/[\r\n]/g, ' ')
}
