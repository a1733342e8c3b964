//! Placeholder cards while the bundle loads: the same boxes as real cards
//! (media, meta line, two title lines, the excerpt's lines, a row of
//! chips), so the widget takes its final height at once and nothing jumps
//! when articles arrive.

use yew::prelude::*;

use crate::widget::options::Options;

#[derive(Properties, PartialEq)]
pub struct SkeletonProps {
    pub options: std::rc::Rc<Options>,
}

#[function_component(Skeleton)]
pub fn skeleton(props: &SkeletonProps) -> Html {
    let o = &props.options;
    let lines = if o.excerpt_lines == 0 {
        3
    } else {
        o.excerpt_lines
    };
    let card = |n: usize| {
        html! {
            <li class="ac-item" key={n}>
                <div class="ac-card ac-skel" part="card">
                    if o.show.image {
                        <div class="ac-media"><div class="ac-img ac-ph"></div></div>
                    }
                    <div class="ac-body">
                        <div class="ac-meta"><span class="ac-bar is-short"></span></div>
                        <div class="ac-title"><span class="ac-bar"></span><span class="ac-bar is-mid"></span></div>
                        if o.show.excerpt {
                            <div class="ac-excerpt" data-lines={lines.to_string()}>
                                { for (0..lines).map(|_| html! { <span class="ac-bar"></span> }) }
                            </div>
                        }
                        if o.show.topics {
                            <div class="ac-topics"><span class="ac-bar"></span><span class="ac-bar"></span></div>
                        }
                    </div>
                </div>
            </li>
        }
    };
    html! {
        <ul class="ac-list" role="list" aria-hidden="true">
            { for (0..o.limit).map(card) }
        </ul>
    }
}
