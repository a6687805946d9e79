// Draws a QR code (for authenticator apps) as an inline SVG. qrcode-generator (MIT) comes from npm.
import qrcode from "../lib/qrcode-generator/qrcode.mjs";

export function render(element, text) {
  const qr = qrcode(0, "M");
  qr.addData(text);
  qr.make();
  element.innerHTML = qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true });
  const svg = element.querySelector("svg");
  if (svg) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "QR code for your authenticator app");
  }
}
