/**
 * A finished mail from the advisor to the client whose body is `body` as written (an application/octet-stream part
 * declared base64), with `tag` as subject and Message-ID: what the send and Sent APPEND suites hand to SMTP and IMAP.
 */
export function octetMail(tag: string, body: Buffer, from = 'advisor@kanzlei.test'): Buffer {
  const head = [
    `From: ${from}`,
    'To: client@mandant.test',
    `Subject: ${tag}`,
    'Date: Sat, 05 Dec 2026 10:00:00 +0100',
    `Message-ID: <${tag}@kanzlei.test>`,
    'MIME-Version: 1.0',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
  ]
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body])
}
