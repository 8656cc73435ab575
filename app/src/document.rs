//! What the page's `<head>` brings from the built site (`target/site/pkg`): the stylesheet,
//! written into the page, and the script that starts the app. Server only: the browser hydrates
//! the body, never the head.

use leptos::config::LeptosOptions;
use leptos::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// A built file's name: `<output name>[.<hash>].<ext>`, with the hash from the hash file the
/// build leaves beside the binary when it hashed the names (its line `<ext>: <hash>`).
pub fn built_name(options: &LeptosOptions, ext: &str) -> String {
    let name = options.output_name.to_string();
    let hash = options
        .hash_files
        .then(|| {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join(&*options.hash_file)))
                .and_then(|file| std::fs::read_to_string(file).ok())
        })
        .flatten()
        .and_then(|hashes| hash_of(&hashes, ext));
    match hash {
        Some(hash) => format!("{name}.{hash}.{ext}"),
        None => format!("{name}.{ext}"),
    }
}

/// The hash on the hash file's `<ext>:` line.
fn hash_of(hashes: &str, ext: &str) -> Option<String> {
    hashes.lines().find_map(|line| {
        let (file, hash) = line.trim().split_once(':')?;
        (file.trim() == ext).then(|| hash.trim().to_string())
    })
}

/// The built stylesheet's text, read once; `None` when the site has none.
///
/// It is written into every page: it is small (about 2 KB with brotli, and pages are compressed
/// as they go), and a `<link>` to it would be a render-blocking request, one more round trip on a
/// slow mobile link before anything is painted.
pub fn stylesheet(options: &LeptosOptions) -> Option<&'static str> {
    static CSS: OnceLock<Option<String>> = OnceLock::new();
    CSS.get_or_init(|| {
        let path = Path::new(&*options.site_root)
            .join(&*options.site_pkg_dir)
            .join(built_name(options, "css"));
        std::fs::read_to_string(path).ok()
    })
    .as_deref()
}

/// Starts the app: loads its JS glue and wasm and hydrates the page. It waits for the first
/// paint: the server-rendered page is complete and readable without the app, and on a slow link
/// the half megabyte of wasm would otherwise compete with the page for it (leptos's
/// `HydrationScripts` preloads both from the `<head>`). A module script runs once the document
/// is parsed; the frame after that has painted it.
///
/// Clicks that come before the app is interactive are held and replayed (`early_clicks.js`):
/// `meshenvAwake` runs after hydration, in a task of its own so that the effects and the
/// resources' futures that hydration queued have run first. It also marks the document
/// (`data-hydrated`), which the end-to-end tests wait for.
#[component]
pub fn HydrationScript(options: LeptosOptions) -> impl IntoView {
    let pkg = format!("/{}", options.site_pkg_dir);
    let js = format!("{pkg}/{}", built_name(&options, "js"));
    let wasm = format!("{pkg}/{}", built_name(&options, "wasm"));
    let script = format!(
        "requestAnimationFrame(() => setTimeout(() => import({js:?}).then((m) => \
         m.default({{ module_or_path: {wasm:?} }}).then(() => {{ m.hydrate(); \
         setTimeout(() => window.meshenvAwake(), 0); }})), 0));"
    );
    let nonce = leptos::nonce::use_nonce();
    view! {
        <script nonce=nonce.clone() inner_html=include_str!("early_clicks.js")></script>
        <script type="module" nonce=nonce>{script}</script>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_read_from_its_line() {
        let hashes = "js: j1\nwasm: w2\ncss: 0123fe\n";
        assert_eq!(hash_of(hashes, "css").as_deref(), Some("0123fe"));
        assert_eq!(hash_of(hashes, "wasm").as_deref(), Some("w2"));
        assert_eq!(hash_of("wasm: abc\n", "css"), None);
    }
}
