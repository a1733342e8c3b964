//! The widget's view rendered to HTML natively, for `article-cards render`:
//! the same components as in the browser, through Yew's server renderer,
//! with no clock and no script (see `MetaLine::now_ms`): dates are absolute
//! (the widget makes them relative when it takes over) and a video's Play
//! control is a link to its page. Native only.

use std::rc::Rc;

use yew::{AttrValue, Callback, LocalServerRenderer};

use crate::components::{View, ViewProps};
use crate::model::LoadState;
use crate::options::Options;
use bundle::Bundle;

/// The locale of prerendered dates: natively, dates are worded by the
/// deterministic English fallback whatever the locale (`time`).
pub const LOCALE: &str = "en";

/// How a carousel's slide out of view starts (see [`view_html`]).
const INERT_SLIDE: &str = r#" inert="inert" class="ac-slide">"#;

/// The markup the widget's view renders for `bundle` under `options`,
/// without the container the widget mounts it in. `bundle_url`: where the
/// bundle is served from, which decides which images are on another
/// origin (as the widget's load does with the URL it fetched).
pub fn view_html(
    bundle: Bundle,
    options: Options,
    bundle_url: Option<&str>,
) -> Result<String, String> {
    let props = ViewProps {
        state: LoadState::Ready(Rc::new(bundle)),
        options: Rc::new(options),
        now_ms: f64::NAN,
        locale: AttrValue::from(LOCALE),
        on_retry: Callback::noop(),
        on_select: Callback::from(|_| true),
        bundle_url: bundle_url.map(|u| AttrValue::from(u.to_owned())),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| format!("cannot start the renderer: {e}"))?;
    let local = tokio::task::LocalSet::new();
    let html = local.block_on(
        &runtime,
        LocalServerRenderer::<View>::with_props(props)
            .hydratable(false)
            .render(),
    );
    // A carousel makes its slides out of view inert, which its buttons
    // undo; without script they are reached by scrolling the track, so
    // none is inert. Only a tag can match: text escapes `>`, and an
    // attribute value `"`.
    Ok(html.replace(INERT_SLIDE, r#" class="ac-slide">"#))
}
