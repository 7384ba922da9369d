import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { startI18n, startingLanguage } from './i18n/setup.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const rootElement = root;

function render(): void {
  createRoot(rootElement).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

// The first screen waits for its language's files, so it never flashes untranslated keys;
// if they cannot be fetched the console still opens, on the keys.
startI18n(startingLanguage()).then(render, render);
