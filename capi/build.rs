//! Names the shared library for the loader: `libminimalloc_c.so` as its
//! SONAME on Linux (and `@rpath/...` on macOS), so that a program linked
//! against an installed copy records that name, not the path it was linked
//! from, and finds the library through its rpath or the loader's path.

fn main() {
    match std::env::var("CARGO_CFG_TARGET_OS").as_deref() {
        Ok("linux") | Ok("android") | Ok("freebsd") => {
            println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libminimalloc_c.so");
        }
        Ok("macos") => {
            println!("cargo:rustc-cdylib-link-arg=-Wl,-install_name,@rpath/libminimalloc_c.dylib");
        }
        _ => {}
    }
    println!("cargo:rerun-if-changed=build.rs");
}
