import Link from 'next/link'

export default function NotFound() {
  return (
    <main className="grid min-h-screen place-items-center px-4 text-center">
      <div className="flex flex-col gap-2">
        <h1 className="text-2xl font-semibold">Page not found</h1>
        <Link href="/" className="text-accent underline">
          Back to the dashboard
        </Link>
      </div>
    </main>
  )
}
