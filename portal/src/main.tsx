import { render } from 'preact';
import { App } from './app.js';
import { appIdFromLocation } from './context.js';
import { PageRoot } from './ui/layer.js';

const root = document.getElementById('app');
if (!root) throw new Error('The page has no #app element');
render(
  <PageRoot.Provider value={root}>
    <App
      appId={appIdFromLocation(window.location)}
      start={new URLSearchParams(window.location.search).has('signup') ? 'sign-up' : 'sign-in'}
    />
  </PageRoot.Provider>,
  root,
);
