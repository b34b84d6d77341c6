#!/usr/bin/env bash
# Packs every library of the solution into a throw-away local feed and builds and runs this consumer
# against those packages (not project references): proves the packages restore, compile and serve.
# Usage: bash tests/Tools/PackageConsumer/check-packages.sh   (from anywhere; needs the NuGet registry for
# the packages' own dependencies)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# A version no earlier run used, so the global packages folder cannot serve a stale copy.
VERSION="0.1.0-check.$(date +%s).$$"

echo "==> dotnet pack (version $VERSION) into $WORK/feed"
dotnet pack "$ROOT/Pop3.Kestrel.sln" -c Release -o "$WORK/feed" -p:Version="$VERSION" --nologo -v:q </dev/null

for package in Pop3.Kestrel Pop3.Kestrel.UsersFile Pop3.Kestrel.OAuthBearer Pop3.Kestrel.Maildir Pop3.Kestrel.Admin Pop3.Kestrel.PostgreSql Pop3.Kestrel.Upstream Pop3.Kestrel.Upstream.OAuth2 Pop3.Kestrel.Testing; do
    nupkg="$WORK/feed/$package.$VERSION.nupkg"
    [[ -f $nupkg ]] || { echo "missing $nupkg" >&2; exit 1; }
    listing=$(unzip -l "$nupkg")
    for member in README.md "lib/net10.0/$package.dll" "lib/net10.0/$package.xml"; do
        grep -q " $member\$" <<<"$listing" || { echo "$package: no $member in the package" >&2; exit 1; }
    done
    [[ -f "$WORK/feed/$package.$VERSION.snupkg" ]] || { echo "$package: no symbol package" >&2; exit 1; }
done

mkdir "$WORK/consumer"
cp "$HERE/PackageConsumer.csproj" "$HERE/Program.cs" "$WORK/consumer/"
cat >"$WORK/consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-packages" value="$WORK/feed" />
  </packageSources>
</configuration>
XML

echo "==> dotnet build of the consumer against the packed packages"
dotnet build "$WORK/consumer/PackageConsumer.csproj" -c Release -p:Pop3PackageVersion="$VERSION" --nologo -v:q </dev/null

# The packages came from the local feed, not from anywhere else.
grep -q "\"Pop3.Kestrel/$VERSION\"" "$WORK/consumer/obj/project.assets.json"

echo "==> running the consumer"
# From its own folder: its content root must not be the repository, whose appsettings.json is the server's.
(cd "$WORK/consumer" && dotnet bin/Release/net10.0/PackageConsumer.dll </dev/null)
echo "packages: OK"
