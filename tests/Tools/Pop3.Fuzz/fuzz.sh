#!/usr/bin/env bash
# Coverage-guided fuzzing of the command framing, parsing and session line handling with AFL++ and SharpFuzz.
#   tests/Tools/Pop3.Fuzz/fuzz.sh [seconds]      (default 600; the run stops by itself)
# Needs: apt-get install afl++ ; dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
# Findings (crashes, hangs) land in tests/Tools/Pop3.Fuzz/findings/; replay them with the uninstrumented build
# (the instrumented one in out/ needs AFL++'s shared memory and faults without it):
#   dotnet build tests/Tools/Pop3.Fuzz && dotnet tests/Tools/Pop3.Fuzz/bin/Debug/net10.0/Pop3.Fuzz.dll run tests/Tools/Pop3.Fuzz/findings/default/crashes
set -euo pipefail
seconds="${1:-600}"
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/out"
export PATH="$PATH:$HOME/.dotnet/tools"

command -v afl-fuzz >/dev/null || { echo "afl-fuzz is missing: apt-get install afl++" >&2; exit 2; }
command -v sharpfuzz >/dev/null || { echo "sharpfuzz is missing: dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0" >&2; exit 2; }

rm -rf "$out"
dotnet publish "$here/Pop3.Fuzz.csproj" -c Release -o "$out" --nologo -v quiet
# Only our assemblies are instrumented: coverage of the framework would drown theirs.
sharpfuzz "$out/Pop3.Kestrel.dll"

rm -rf "$here/corpus"
dotnet "$out/Pop3.Fuzz.dll" corpus "$here/corpus"

# .NET is no AFL-compiled binary, and it reserves far more address space than AFL's default memory limit.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
afl-fuzz -V "$seconds" -i "$here/corpus" -o "$here/findings" -t 20000 -m none -- dotnet "$out/Pop3.Fuzz.dll" afl

crashes=$(find "$here/findings" -path '*crashes/id*' | wc -l)
hangs=$(find "$here/findings" -path '*hangs/id*' | wc -l)
echo "AFL++ finished: $crashes crashes, $hangs hangs"
[ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ]
