/** Whether a process id from an Outbox entry still runs (signal 0 only checks). */
export function isProcessAlive(owner: string): boolean {
  const pid = Number(owner)
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
