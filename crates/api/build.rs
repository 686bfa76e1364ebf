//! Builds the web dashboard (`web/`, TypeScript bundled by vite) into `OUT_DIR/web`, gzips
//! each file there once, and writes `OUT_DIR/web_assets.rs`, the table of embedded files
//! that `src/routes/web.rs` serves.
//!
//! `npm ci` runs when `web/node_modules` is missing or older than `web/package-lock.json`;
//! the bundle is rebuilt only when one of its inputs changed (cargo watches them). Builds
//! running at once take turns (a lock on `web/.build.lock`).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

/// What to tell someone whose machine has no Node.js.
const NEED_NODE: &str = "the web dashboard is built with Node.js and npm: install them (Debian: apt-get install nodejs npm)";

fn main() {
    if let Err(e) = run() {
        // One line per message, as cargo shows them.
        for line in e.lines() {
            println!("cargo::error={line}");
        }
    }
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| format!("CARGO_MANIFEST_DIR: {e}"))?);
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?);
    let web = manifest.join("../../web");
    println!("cargo:rerun-if-changed=build.rs");
    if !web.join("package.json").is_file() {
        return Err(format!("the web dashboard's sources are missing: no {}", web.join("package.json").display()));
    }
    for input in inputs(&web)? {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    // Two builds at once (cargo in two target directories) would run `npm ci` in the same
    // web/node_modules; the second waits here for the first. Released when `_lock` drops.
    let lock_path = web.join(".build.lock");
    let _lock = std::fs::File::create(&lock_path).map_err(|e| format!("creating {}: {e}", lock_path.display()))?;
    _lock.lock().map_err(|e| format!("locking {}: {e}", lock_path.display()))?;
    install(&web)?;
    let dist = out.join("web");
    let mut build = Command::new("npm");
    build.args(["run", "build", "--", "--outDir"]).arg(&dist).arg("--emptyOutDir").current_dir(&web);
    run_npm(&mut build, "npm run build")?;
    if !dist.join("index.html").is_file() {
        return Err(format!("npm run build wrote no index.html into {}", dist.display()));
    }
    let gz = out.join("web-gz");
    if gz.exists() {
        std::fs::remove_dir_all(&gz).map_err(|e| format!("emptying {}: {e}", gz.display()))?;
    }
    std::fs::create_dir_all(&gz).map_err(|e| format!("creating {}: {e}", gz.display()))?;
    let mut files = Vec::new();
    walk(&dist, &mut files)?;
    // Sorted by the path served, for a binary search.
    let mut files: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|f| Ok((f.strip_prefix(&dist).map_err(|e| e.to_string())?.to_string_lossy().replace('\\', "/"), f)))
        .collect::<Result<_, String>>()?;
    files.sort();
    let mut table = String::from("&[\n");
    for (rel, file) in &files {
        let body = std::fs::read(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
        let mime = mime_guess::from_path(file).first_or_octet_stream();
        let content_type = if is_text(&mime) { format!("{mime}; charset=utf-8") } else { mime.to_string() };
        let gzip = match gzipped(&body)? {
            Some(packed) => {
                let path = gz.join(format!("{}.gz", rel.replace('/', "__")));
                std::fs::write(&path, packed).map_err(|e| format!("writing {}: {e}", path.display()))?;
                format!("Some(include_bytes!({:?}))", path.display().to_string())
            }
            None => "None".to_owned(),
        };
        // Vite names every file under assets/ after a hash of its content.
        let immutable = rel.starts_with("assets/");
        // Weak: the same tag for the gzipped and the plain body, which differ only in encoding.
        let etag = format!("W/\"{:08x}-{:x}\"", crc32fast::hash(&body), body.len());
        let _ = writeln!(
            table,
            "    Asset {{ path: {rel:?}, content_type: {content_type:?}, body: include_bytes!({:?}), gzip: {gzip}, immutable: {immutable}, etag: {etag:?} }},",
            file.display().to_string()
        );
    }
    table.push(']');
    let generated = out.join("web_assets.rs");
    std::fs::write(&generated, table).map_err(|e| format!("writing {}: {e}", generated.display()))?;
    Ok(())
}

/// The bundle's inputs that exist (cargo would rerun for ever on a missing one):
/// `src/` and `public/` (every file in them), `index.html`, `package*.json`,
/// `vite.config.*`, `tsconfig*.json`.
fn inputs(web: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(web).map_err(|e| format!("reading {}: {e}", web.display()))? {
        let entry = entry.map_err(|e| format!("reading {}: {e}", web.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let wanted = matches!(name.as_str(), "src" | "public" | "index.html")
            || (name.starts_with("package") && name.ends_with(".json"))
            || name.starts_with("vite.config.")
            || (name.starts_with("tsconfig") && name.ends_with(".json"));
        if wanted {
            found.push(entry.path());
        }
    }
    found.sort();
    Ok(found)
}

/// `npm ci` when `node_modules` is missing or older than `package-lock.json`.
fn install(web: &Path) -> Result<(), String> {
    let lock = modified(&web.join("package-lock.json"));
    // npm rewrites this file at every install.
    let installed = modified(&web.join("node_modules/.package-lock.json"));
    if installed.is_some() && installed >= lock {
        return Ok(());
    }
    let mut ci = Command::new("npm");
    ci.args(["ci", "--no-audit", "--no-fund"]).current_dir(web);
    run_npm(&mut ci, "npm ci (in web/)")
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Runs an npm command; a missing npm or a failure is an error with its output.
fn run_npm(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out: Output = match cmd.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(NEED_NODE.to_owned()),
        Err(e) => return Err(format!("{what}: cannot start npm: {e}; {NEED_NODE}")),
    };
    if out.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    let tail: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = tail[tail.len().saturating_sub(30)..].join("\n");
    Err(format!("{what} failed ({}) while building the web dashboard:\n{tail}", out.status))
}

/// Every file under `dir`.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| format!("reading {}: {e}", dir.display()))?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// Text types get a charset.
fn is_text(m: &mime_guess::Mime) -> bool {
    m.type_() == mime_guess::mime::TEXT || matches!(m.subtype().as_str(), "javascript" | "json" | "xml")
}

/// `body` gzipped at the best level, if that makes it smaller.
fn gzipped(body: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(body).and_then(|()| gz.flush()).map_err(|e| format!("gzip: {e}"))?;
    let packed = gz.finish().map_err(|e| format!("gzip: {e}"))?;
    Ok((packed.len() + 64 < body.len()).then_some(packed))
}
