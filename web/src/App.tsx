import { lazy, Suspense, useEffect, useState } from 'react';
import { Route, Routes, useParams } from 'react-router';
import { Link, match, navigate, useLocation } from './router';
import { useMyDay } from './myday/my-day';
import { useSession } from './session';
import { AcceptInvitePage, AuthPage } from './pages/Auth';
import { ForgotPasswordPage, ResetPasswordPage } from './pages/PasswordReset';
import { LeadsPage } from './pages/Leads';
import { Spinner } from './components/ui';
import { Toasts } from './components/Toasts';
import { Icon, type IconName } from './components/Icon';

// Less-visited screens load on demand so the first paint only carries the lead list.
const LeadPage = lazy(() => import('./pages/LeadPage').then((m) => ({ default: m.LeadPage })));
const BoardPage = lazy(() => import('./pages/Board').then((m) => ({ default: m.BoardPage })));
const ImportPage = lazy(() => import('./pages/Import').then((m) => ({ default: m.ImportPage })));
const DashboardPage = lazy(() => import('./pages/Dashboard').then((m) => ({ default: m.DashboardPage })));
const MyDayPage = lazy(() => import('./pages/MyDay').then((m) => ({ default: m.MyDayPage })));
const Accounts = {
  companies: lazy(() => import('./accounts/Companies').then((m) => ({ default: m.CompaniesPage }))),
  company: lazy(() => import('./accounts/Companies').then((m) => ({ default: m.CompanyPage }))),
  contacts: lazy(() => import('./accounts/Contacts').then((m) => ({ default: m.ContactsPage }))),
  contact: lazy(() => import('./accounts/Contacts').then((m) => ({ default: m.ContactPage }))),
  opportunities: lazy(() =>
    import('./accounts/Opportunities').then((m) => ({ default: m.OpportunitiesPage })),
  ),
  opportunity: lazy(() => import('./accounts/Opportunities').then((m) => ({ default: m.OpportunityPage }))),
};
const SettingsPage = lazy(() => import('./pages/Settings').then((m) => ({ default: m.SettingsPage })));
const DuplicatesPage = lazy(() =>
  import('./duplicates/DuplicatesPage').then((m) => ({ default: m.DuplicatesPage })),
);

const NAV: { to: string; label: string; icon: IconName; also?: string[] }[] = [
  { to: '/my-day', label: 'My day', icon: 'day' },
  { to: '/leads', label: 'Leads', icon: 'leads' },
  { to: '/board', label: 'Board', icon: 'board' },
  { to: '/companies', label: 'Accounts', icon: 'accounts', also: ['/contacts', '/opportunities'] },
  { to: '/dashboard', label: 'Dashboard', icon: 'dashboard' },
  { to: '/import', label: 'Import', icon: 'import' },
  { to: '/duplicates', label: 'Duplicates', icon: 'duplicates' },
  { to: '/settings', label: 'Settings', icon: 'settings' },
];

export function App() {
  const { me, ready } = useSession();
  const { path } = useLocation();
  const publicPath = path === '/signin' || path === '/signup' || path === '/forgot-password';

  useEffect(() => {
    if (!ready) return;
    if (path.startsWith('/invite/') || path.startsWith('/reset-password/')) return;
    if (!me && !publicPath) navigate('/signin', true);
    if (me && (publicPath || path === '/')) navigate('/leads', true);
  }, [ready, me, publicPath, path]);

  if (!ready) return <Spinner />;
  const invite = match('/invite/:token', path);
  if (invite) return <AcceptInvitePage token={invite.token} />;
  const reset = match('/reset-password/:token', path);
  if (reset) return <ResetPasswordPage token={reset.token} />;
  if (!me && path === '/forgot-password') return <ForgotPasswordPage />;
  if (!me) return publicPath ? <AuthPage mode={path === '/signup' ? 'signup' : 'signin'} /> : null;
  return (
    <div className="shell">
      <TopBar path={path} />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Spinner />}>
          <Screen />
        </Suspense>
      </main>
      <Toasts />
    </div>
  );
}

// While the router moves away from a record (a delete going back to the list), the old screen can render once
// without its `:id`: it renders nothing then, rather than ask the API for `/contacts/NaN`.
function LeadRoute() {
  const { id } = useParams();
  return id === undefined ? null : <LeadPage key={id} id={Number(id)} />;
}

/** /companies/:id and the like: the page is keyed by its id, so moving between two starts fresh. */
function ById({ page: Page }: { page: (p: { id: number }) => React.ReactNode }) {
  const { id } = useParams();
  return id === undefined ? null : <Page key={id} id={Number(id)} />;
}

function SettingsRoute() {
  const { tab } = useParams();
  return <SettingsPage tab={tab ?? ''} />;
}

function Screen() {
  return (
    <Routes>
      <Route path="/leads" element={<LeadsPage />} />
      <Route path="/leads/:id" element={<LeadRoute />} />
      <Route path="/my-day" element={<MyDayPage />} />
      <Route path="/companies" element={<Accounts.companies />} />
      <Route path="/companies/:id" element={<ById page={Accounts.company} />} />
      <Route path="/contacts" element={<Accounts.contacts />} />
      <Route path="/contacts/:id" element={<ById page={Accounts.contact} />} />
      <Route path="/opportunities" element={<Accounts.opportunities />} />
      <Route path="/opportunities/:id" element={<ById page={Accounts.opportunity} />} />
      <Route path="/board" element={<BoardPage />} />
      <Route path="/import" element={<ImportPage />} />
      <Route path="/dashboard" element={<DashboardPage />} />
      <Route path="/duplicates" element={<DuplicatesPage />} />
      <Route path="/settings" element={<SettingsRoute />} />
      <Route path="/settings/:tab" element={<SettingsRoute />} />
      <Route
        path="*"
        element={
          <section className="page">
            <h1>Page not found</h1>
            <p>
              <Link to="/leads">Back to leads</Link>
            </p>
          </section>
        }
      />
    </Routes>
  );
}

/** The navigation's count: follow-ups and tasks overdue or due today. */
function MyDayCount() {
  const { me } = useSession();
  const { dueNow } = useMyDay(me?.user?.id);
  if (!dueNow) return null;
  return (
    <span className="count nav-count">
      {dueNow}
      <span className="sr-only"> due today or overdue</span>
    </span>
  );
}

function TopBar({ path }: { path: string }) {
  const { me, signOut, switchOrg } = useSession();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [path]);
  if (!me) return null;
  const orgs = me.organizations;
  return (
    <header className="topbar">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Link to="/leads" className="brand">
        Leadflow
      </Link>
      <button
        type="button"
        className="menu-toggle"
        aria-expanded={open}
        aria-controls="main-nav"
        onClick={() => setOpen(!open)}
      >
        Menu
      </button>
      <nav id="main-nav" aria-label="Main" className={open ? 'open' : ''}>
        {NAV.map((n) => (
          <Link
            key={n.to}
            to={n.to}
            aria-current={[n.to, ...(n.also ?? [])].some((p) => path.startsWith(p)) ? 'page' : undefined}
          >
            <Icon name={n.icon} />
            {n.label}
            {n.to === '/my-day' && <MyDayCount />}
          </Link>
        ))}
      </nav>
      <div className="account">
        {orgs.length > 1 ? (
          <label className="org-switch">
            <span className="sr-only">Organization</span>
            <select value={me.organization_id} onChange={(e) => switchOrg(Number(e.target.value))}>
              {orgs.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span className="org-name">{orgs[0]?.name}</span>
        )}
        <span className="user-name" title={me.user?.email}>
          {me.user?.name}
        </span>
        <button type="button" className="link" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}
