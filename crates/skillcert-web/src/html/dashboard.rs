use askama::Template;
use axum::extract::State;
use axum::response::Response;
use skillcert_app::dashboard::{self, Dashboard};

use super::{Ctx, render};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::session::Me;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "dashboard/index.html")]
struct DashboardPage {
    ctx: Ctx,
    d: Dashboard,
    can_org: bool,
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    let d = dashboard::load(&state.app, &me).await?;
    render(&DashboardPage {
        can_org: me.can(skillcert_domain::access::Permission::OrgRead),
        ctx: Ctx::new(lang, Some(&me), "/"),
        d,
    })
}
