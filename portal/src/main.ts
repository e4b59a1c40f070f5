import { Portal, appIdFromLocation } from './portal.js';
import { homeScreen, twoFactorModal } from './screens/account.js';
import { settingsScreen, usersScreen } from './screens/admin.js';
import { signInScreen, signUpScreen } from './screens/auth.js';
import { appRoot } from './ui/dom.js';

/** The reference portal: every screen of the product page, over the service's public HTTP API only. */
const portal = new Portal(appRoot(), appIdFromLocation(window.location));
portal.register('sign-in', signInScreen);
portal.register('sign-up', signUpScreen);
portal.register('home', homeScreen);
portal.register('settings', settingsScreen);
portal.register('users', usersScreen);
portal.register('two-factor-modal', twoFactorModal);
portal.showScreen(new URLSearchParams(window.location.search).has('signup') ? 'sign-up' : 'sign-in');
