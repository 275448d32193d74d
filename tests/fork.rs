//! A forked child must not hand out its parent's nonces: the two start with the same generator
//! state, and a preforking server's workers would collide (issue 14 item 8).
#![cfg(unix)]
#![allow(unsafe_code)] // fork, pipe, read, write and _exit: the test's subject
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use persona::random;

fn nonce() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    random::fill(&mut bytes).unwrap();
    bytes
}

#[test]
fn a_forked_child_reseeds() {
    // Seed this thread's generator before the fork, so the child starts from a copy of it.
    let _ = nonce();
    let before = random::fork_generation();
    let mut fds = [0i32; 2];
    // SAFETY: a two-int array for pipe(2).
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: the child only draws 16 bytes (no allocation), writes them and _exits.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let generation = random::fork_generation();
        let mut message = [0u8; 24];
        message[..16].copy_from_slice(&nonce());
        message[16..].copy_from_slice(&generation.to_le_bytes());
        // SAFETY: writing a stack buffer to the pipe, then leaving without unwinding.
        unsafe {
            libc::write(fds[1], message.as_ptr().cast(), message.len());
            libc::_exit(0);
        }
    }
    let parent = nonce();
    let mut message = [0u8; 24];
    // SAFETY: reading into a stack buffer of the length given; then reaping the child.
    let read = unsafe { libc::read(fds[0], message.as_mut_ptr().cast(), message.len()) };
    let mut status = 0;
    unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(read, 24);
    let generation = u64::from_le_bytes(message[16..].try_into().unwrap());
    assert_eq!(generation, before + 1, "the child saw the fork");
    assert_eq!(random::fork_generation(), before, "the parent did not");
    assert_ne!(
        &message[..16],
        &parent,
        "the child drew its parent's next nonce"
    );
}
