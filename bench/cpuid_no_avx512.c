/* An LD_PRELOAD library that makes the CPUID instruction report no AVX-512, so a program
 * that picks its code path from CPUID (OpenColorIO's CPUInfo, numpy) runs its AVX2 path on
 * an AVX-512 machine. Linux's CPUID faulting (arch_prctl ARCH_SET_CPUID, /proc/cpuinfo flag
 * `cpuid_fault`) turns every CPUID into a SIGSEGV; the handler runs the real instruction
 * with faulting briefly off, clears the AVX-512 feature bits of leaf 7 and skips it.
 * The setting is per thread and inherited by threads created later.
 *
 *   cc -O2 -shared -fPIC -o cpuid_no_avx512.so bench/cpuid_no_avx512.c
 *   LD_PRELOAD=$PWD/cpuid_no_avx512.so python3 bench/ocio_bench.py
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static int set_cpuid(int enabled) { return (int)syscall(SYS_arch_prctl, ARCH_SET_CPUID, enabled); }

/* Leaf 7 subleaf 0: EBX AVX512F(16) DQ(17) IFMA(21) PF(26) ER(27) CD(28) BW(30) VL(31);
 * ECX VBMI(1) VBMI2(6) VNNI(11) BITALG(12) VPOPCNTDQ(14); EDX 4VNNIW(2) 4FMAPS(3)
 * VP2INTERSECT(8) FP16(23). Leaf 7 subleaf 1: EAX AVX512_BF16(5). */
#define EBX_AVX512 ((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31))
#define ECX_AVX512 ((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14))
#define EDX_AVX512 ((1u << 2) | (1u << 3) | (1u << 8) | (1u << 23))

static void on_fault(int sig, siginfo_t *info, void *ctx_) {
    ucontext_t *ctx = ctx_;
    greg_t *r = ctx->uc_mcontext.gregs;
    const uint8_t *ip = (const uint8_t *)r[REG_RIP];
    if (ip[0] != 0x0f || ip[1] != 0xa2) { /* not CPUID: a real fault */
        signal(sig, SIG_DFL);
        return; /* the instruction runs again and faults with the default action */
    }
    uint32_t leaf = (uint32_t)r[REG_RAX], sub = (uint32_t)r[REG_RCX], a, b, c, d;
    set_cpuid(1);
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(sub));
    set_cpuid(0);
    if (leaf == 7 && sub == 0) { b &= ~EBX_AVX512; c &= ~ECX_AVX512; d &= ~EDX_AVX512; }
    if (leaf == 7 && sub == 1) { a &= ~(1u << 5); }
    r[REG_RAX] = a; r[REG_RBX] = b; r[REG_RCX] = c; r[REG_RDX] = d;
    r[REG_RIP] += 2;
    (void)info;
}

__attribute__((constructor)) static void start(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0 || set_cpuid(0) != 0) {
        perror("cpuid_no_avx512: CPUID faulting is not available");
        exit(70);
    }
}
