# syntax=docker/dockerfile:1
# Pop3.Kestrel server image: build with the .NET SDK, run on the ASP.NET runtime as a non-root user.
#   docker build -t pop3-kestrel .
#   docker run -d -p 110:110 -p 127.0.0.1:9110:9110 -v pop3-mail:/var/mail/pop3 -v "$PWD/config:/etc/pop3:ro" pop3-kestrel
# Configured entirely by environment variables (Pop3__*, Serilog__*); see docs/operations.md.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Project files first, so the restore layer is reused while only sources change.
COPY Pop3.Kestrel.sln ./
COPY src/Directory.Build.props src/PACKAGE.md src/
COPY src/Pop3.Kestrel/Pop3.Kestrel.csproj src/Pop3.Kestrel/
COPY src/Pop3.Kestrel.UsersFile/Pop3.Kestrel.UsersFile.csproj src/Pop3.Kestrel.UsersFile/
COPY src/Pop3.Kestrel.OAuthBearer/Pop3.Kestrel.OAuthBearer.csproj src/Pop3.Kestrel.OAuthBearer/
COPY src/Pop3.Kestrel.Maildir/Pop3.Kestrel.Maildir.csproj src/Pop3.Kestrel.Maildir/
COPY src/Pop3.Kestrel.Admin/Pop3.Kestrel.Admin.csproj src/Pop3.Kestrel.Admin/
COPY src/Pop3.Kestrel.PostgreSql/Pop3.Kestrel.PostgreSql.csproj src/Pop3.Kestrel.PostgreSql/
COPY src/Pop3.Kestrel.Upstream/Pop3.Kestrel.Upstream.csproj src/Pop3.Kestrel.Upstream/
COPY src/Pop3.Kestrel.Upstream.OAuth2/Pop3.Kestrel.Upstream.OAuth2.csproj src/Pop3.Kestrel.Upstream.OAuth2/
COPY src/Pop3.Server/Pop3.Server.csproj src/Pop3.Server/
RUN dotnet restore src/Pop3.Server/Pop3.Server.csproj
COPY appsettings.json ./
# No .dockerignore (the repository keeps its top level small): build output from a developer's tree is left out here.
COPY --exclude=**/bin --exclude=**/obj src/ src/
RUN dotnet publish src/Pop3.Server/Pop3.Server.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
ENV DOTNET_ENVIRONMENT=Production \
    ASPNETCORE_ENVIRONMENT=Production \
    Serilog__Console__Format=json \
    Pop3__Endpoints__Default__Address=* \
    Pop3__Endpoints__Default__Port=110 \
    Pop3__Admin__Address=* \
    Pop3__Admin__Port=9110 \
    Pop3__Maildir__Path=/var/mail/pop3/{user}/Maildir \
    Pop3__Authentication__UsersFile=/etc/pop3/users \
    Pop3__DataPath=/var/lib/pop3 \
    Pop3__DrainTimeout=00:00:30
# The image's non-root user "app" ($APP_UID) owns the writable volumes; /etc/pop3 (users file, tls/) is read-only config.
RUN mkdir -p /var/mail/pop3 /var/lib/pop3 /etc/pop3/tls \
    && chown "$APP_UID" /var/mail/pop3 /var/lib/pop3
COPY --from=build /app ./
VOLUME ["/var/mail/pop3", "/var/lib/pop3", "/etc/pop3"]
# 110 POP3 (STLS once a certificate is configured), 995 implicit TLS (Pop3__Endpoints__Secure__*), 9110 admin HTTP.
# Ports below 1024 need no capability: Docker lets unprivileged processes bind them inside the container
# (net.ipv4.ip_unprivileged_port_start=0); Kubernetes needs that sysctl in the pod (see deploy/kubernetes).
EXPOSE 110 995 9110
USER $APP_UID
# The runtime image has no curl or wget: the server binary has a healthcheck mode that GETs /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["dotnet", "/app/Pop3.Server.dll", "healthcheck"]
# SIGTERM drains: idle sessions get -ERR [SYS/TEMP], replies in progress finish, within Pop3__DrainTimeout.
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "/app/Pop3.Server.dll"]
