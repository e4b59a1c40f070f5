import QRCode from 'qrcode';

export interface QrCodeImages {
  svg: string;
  pngDataUrl: string;
}

/** The key-URI as a QR code, in SVG (for pages) and PNG (for `<img>` and mail clients). */
export async function renderQrCode(text: string): Promise<QrCodeImages> {
  const options = { errorCorrectionLevel: 'M' as const, margin: 4 };
  const [svg, pngDataUrl] = await Promise.all([
    QRCode.toString(text, { ...options, type: 'svg' }),
    QRCode.toDataURL(text, { ...options, type: 'image/png', width: 256 }),
  ]);
  return { svg, pngDataUrl };
}
