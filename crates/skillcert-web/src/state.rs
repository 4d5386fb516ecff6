use skillcert_app::App;

/// What every handler gets: the application and web settings.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
}
