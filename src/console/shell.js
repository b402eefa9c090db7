// What the console and the portal both are: one page whose fragment names what it shows, and a
// session the server holds (its cookie) that the page learns of on load, adopts on sign-in and
// loses on sign-out or when the server no longer knows it.
import { useState, useEffect } from './vendor/preact-htm.js';
import { get, post, adoptSession, onSignedOut, ApiError } from './api.js';

// The page `route(hash)` makes of the fragment, followed as it changes. Fragments that are not
// routes (an error summary's link to a field) leave the page as it is.
export function useRoute(route) {
  const [current, setCurrent] = useState(route(location.hash));
  useEffect(() => {
    const follow = () => {
      if (location.hash === '' || location.hash.startsWith('#/')) setCurrent(route(location.hash));
    };
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return current;
}

// The session at `paths.session` (GET), ended at `paths.logout`; `paths.factors` are where a
// 401 is a form's refusal rather than the session's end. session: undefined while unknown,
// null when nobody is signed in; unreachable: why the server could not say.
export function useSession(paths) {
  const [session, setSession] = useState(undefined);
  const [unreachable, setUnreachable] = useState(null);
  const adopt = (s) => {
    adoptSession(s);
    setSession(s);
  };
  useEffect(() => {
    onSignedOut(() => adopt(null), paths.factors);
    get(paths.session).then(adopt, (e) => {
      adopt(null);
      if (!(e instanceof ApiError && e.status === 401)) setUnreachable(e);
    });
  }, []);
  const signOut = async () => {
    try {
      await post(paths.logout);
    } finally {
      adopt(null);
      location.hash = '#/';
    }
  };
  return { session, adopt, unreachable, signOut };
}
