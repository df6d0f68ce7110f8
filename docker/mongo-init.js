// Runs once, when MongoDB initialises an empty data directory: creates the application's
// own user, with readWrite on the application database only (the app never uses root).
const dbName = process.env.MONGO_DB_NAME || "ai_orchestration";
db.getSiblingDB(dbName).createUser({
  user: process.env.MONGO_APP_USERNAME,
  pwd: process.env.MONGO_APP_PASSWORD,
  roles: [{ role: "readWrite", db: dbName }],
});
