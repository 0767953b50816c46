import encodeQR from "qr";

/**
 * The QR code of an otpauth:// URI as an SVG data URL, drawn on the server
 * (no external service sees the secret), for an <img> (the CSP allows data:
 * images). A 4-module quiet zone, as the QR standard asks, so phones read it.
 */
export function qrCodeDataUrl(text: string): string {
  const svg = encodeQR(text, "svg", { ecc: "medium", border: 4 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
}
