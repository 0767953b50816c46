import type { Metadata, Viewport } from "next";
import { cookies } from "next/headers";
import "@fontsource-variable/inter";
import { TimeZoneProvider } from "@/components/time-zone";
import { normalizeTimeZone, TIME_ZONE_COOKIE } from "@/lib/time-zone";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Botdesk", template: "%s · Botdesk" },
  description: "Bot users and their credentials, in one console.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const zone = normalizeTimeZone((await cookies()).get(TIME_ZONE_COOKIE)?.value);
  return (
    <html lang="en">
      <body className="min-h-dvh bg-slate-50 font-sans text-slate-900 antialiased">
        <TimeZoneProvider zone={zone}>{children}</TimeZoneProvider>
      </body>
    </html>
  );
}
