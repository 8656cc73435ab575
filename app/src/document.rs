//! What the page's `<head>` brings from the built site (`target/site/pkg`): the stylesheet,
//! written into the page, and the script that starts the app. Server only: the browser hydrates
//! the body, never the head.

use leptos::config::LeptosOptions;
use leptos::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

/// A built file's name: `<output name>[.<hash>].<ext>`, with the hash from the hash file the
/// build leaves beside the binary when it hashed the names (its line `<ext>: <hash>`).
pub fn built_name(options: &LeptosOptions, ext: &str) -> String {
    hashed_name(options, ext, &options.output_name, ext)
}

/// `<stem>[.<hash>].<ext>`, with the hash on the hash file's `<key>:` line when the build
/// hashed the names.
fn hashed_name(options: &LeptosOptions, key: &str, stem: &str, ext: &str) -> String {
    // The hash file beside the binary, read once: it is written by the build, not at run time.
    static HASHES: OnceLock<Option<String>> = OnceLock::new();
    let hash = options
        .hash_files
        .then(|| {
            HASHES
                .get_or_init(|| {
                    std::env::current_exe()
                        .ok()
                        .and_then(|exe| exe.parent().map(|dir| dir.join(&*options.hash_file)))
                        .and_then(|file| std::fs::read_to_string(file).ok())
                })
                .as_deref()
        })
        .flatten()
        .and_then(|hashes| hash_of(hashes, key));
    match hash {
        Some(hash) => format!("{stem}.{hash}.{ext}"),
        None => format!("{stem}.{ext}"),
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

/// The split build's manifest (`--split`): for each lazily loaded group of pages (its `#[lazy]`
/// function's name and a hash), the chunk files it needs; and where they are served. Read once,
/// by the page's head (see [`HydrationScript`]); `None` when the build did not split.
type SplitManifest = (String, HashMap<String, Vec<String>>);
static SPLIT_MANIFEST: OnceLock<Option<SplitManifest>> = OnceLock::new();

fn read_split_manifest(options: &LeptosOptions) -> Option<SplitManifest> {
    let pkg = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let file = hashed_name(options, "manifest", "__wasm_split_manifest", "json");
    let manifest = serde_json::from_str(&std::fs::read_to_string(pkg.join(file)).ok()?).ok()?;
    Some((format!("/{}", options.site_pkg_dir), manifest))
}

/// The name of the `<meta>` tags that list the page's chunks.
const CHUNK_META: &str = "meshenv-chunk";

/// The groups whose chunks this page already names.
#[derive(Clone, Default)]
struct PreloadedGroups(Arc<Mutex<HashSet<&'static str>>>);

/// Names, in the page's `<head>`, the chunks of the group of pages being rendered (the `#[lazy]`
/// function named `group`), as `<meta name="meshenv-chunk">`. The start script ([`HydrationScript`])
/// preloads them after the first paint, beside the main module: they arrive with it rather than
/// after it, when hydration asks for them, yet do not compete with the page itself for a slow
/// link before it is painted (as `<link rel=preload>` in the head did: Lighthouse's largest
/// paint on such pages went from under 1 s to 2 s).
pub fn preload_chunks(group: &'static str) {
    let Some(Some((pkg, manifest))) = SPLIT_MANIFEST.get() else {
        return;
    };
    // Once a page: the router asks for a page's view more than once while rendering it.
    let first = use_context::<PreloadedGroups>()
        .is_some_and(|seen| seen.0.lock().is_ok_and(|mut seen| seen.insert(group)));
    if !first {
        return;
    }
    let files = manifest.iter().find_map(|(key, files)| {
        let hash = key.strip_prefix(group)?.strip_prefix('_')?;
        hash.bytes().all(|b| b.is_ascii_digit()).then_some(files)
    });
    for file in files.into_iter().flatten() {
        // Rendered to nothing here: a meta tag registers itself with the page's head.
        _ = view! { <leptos_meta::Meta name=CHUNK_META content=format!("{pkg}/{file}.wasm") /> }
            .to_html();
    }
}

/// Starts the app: loads its JS glue and wasm and hydrates the page. It waits for the first
/// paint: the server-rendered page is complete and readable without the app, and on a slow link
/// the half megabyte of wasm would otherwise compete with the page for it (leptos's
/// `HydrationScripts` preloads both from the `<head>`). A module script runs once the document
/// is parsed; the frame after that has painted it.
///
/// Clicks that come before the app is interactive are held and replayed (`early_clicks.js`):
/// `meshenvAwake` runs after hydration (whose promise settles once the page's lazily loaded
/// chunk has arrived and hydrated), in a task of its own so that the effects and the
/// resources' futures that hydration queued have run first. It also marks the document
/// (`data-hydrated`), which the end-to-end tests wait for.
#[component]
pub fn HydrationScript(options: LeptosOptions) -> impl IntoView {
    SPLIT_MANIFEST.get_or_init(|| read_split_manifest(&options));
    provide_context(PreloadedGroups::default());
    let pkg = format!("/{}", options.site_pkg_dir);
    let js = format!("{pkg}/{}", built_name(&options, "js"));
    let wasm = format!("{pkg}/{}", built_name(&options, "wasm"));
    // The chunks' preloads are made as the fetch the chunk loader makes (`as=fetch`, CORS), so
    // that it uses them rather than downloading again.
    let script = format!(
        "requestAnimationFrame(() => setTimeout(() => {{ \
         for (const c of document.querySelectorAll('meta[name={CHUNK_META}]')) \
         document.head.append(Object.assign(document.createElement('link'), \
         {{ rel: 'preload', as: 'fetch', type: 'application/wasm', crossOrigin: 'anonymous', href: c.content }})); \
         import({js:?}).then((m) => \
         m.default({{ module_or_path: {wasm:?} }}).then(() => m.hydrate()).then(() => \
         setTimeout(() => window.meshenvAwake(), 0))); }}, 0));"
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
