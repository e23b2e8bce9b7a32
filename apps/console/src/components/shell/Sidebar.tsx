'use client'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { cx } from '@/lib/cx'
import type { Role } from '@/lib/session'
import { isActive, NAV } from './nav'

export function Sidebar({ role, open, onNavigate }: { role: Role; open: boolean; onNavigate: () => void }) {
  const pathname = usePathname()
  return (
    <nav
      id="console-nav"
      aria-label="Main"
      className={cx(
        'fixed inset-y-0 left-0 z-40 w-56 shrink-0 overflow-y-auto bg-sidebar text-sidebar-fg transition-transform lg:sticky lg:top-0 lg:h-screen lg:translate-x-0',
        open ? 'translate-x-0' : '-translate-x-full',
      )}
    >
      <div className="flex h-14 items-center gap-2 px-5 text-base font-semibold text-white">
        <span aria-hidden="true" className="grid size-7 place-items-center rounded-ctl bg-accent text-xs">W</span>
        Wren
      </div>
      <ul className="flex flex-col gap-0.5 px-3 py-2">
        {NAV.filter((n) => n.roles.includes(role)).map((n) => {
          const active = isActive(n.href, pathname)
          return (
            <li key={n.href}>
              <Link
                href={n.href}
                onClick={onNavigate}
                aria-current={active ? 'page' : undefined}
                className={cx(
                  'block rounded-ctl px-3 py-2 text-sm',
                  active ? 'bg-sidebar-active font-medium text-white' : 'hover:bg-sidebar-active/60 hover:text-white',
                )}
              >
                {n.label}
              </Link>
            </li>
          )
        })}
      </ul>
    </nav>
  )
}
