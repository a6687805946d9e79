# Builds Signalbook for docker compose. On a full nuget.org feed the official Blazor assets package
# is found, so scripts/setup.sh keeps the standard build; npm brings the front-end libraries.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN SIGNALBOOK_SETUP_POSTGRES=0 bash scripts/setup.sh \
 && dotnet publish App/App.csproj -c Release -o /out --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out .
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
EXPOSE 8080
USER app
ENTRYPOINT ["dotnet", "Signalbook.dll"]
