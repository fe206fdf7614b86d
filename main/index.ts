// Electron main entry. Everything that touches Electron lives in *.electron.ts files.
import './app.electron.ts'
